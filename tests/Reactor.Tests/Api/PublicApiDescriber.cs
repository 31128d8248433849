using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Reactor.Tests.Api;

/// <summary>
/// Describes an assembly's public surface — every public type and every public or protected member, with nullability —
/// as sorted text lines, one declaration each, so a change to the surface shows as a line diff.
/// </summary>
internal static class PublicApiDescriber
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void", [typeof(object)] = "object", [typeof(string)] = "string", [typeof(bool)] = "bool",
        [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte", [typeof(short)] = "short", [typeof(ushort)] = "ushort",
        [typeof(int)] = "int", [typeof(uint)] = "uint", [typeof(long)] = "long", [typeof(ulong)] = "ulong",
        [typeof(float)] = "float", [typeof(double)] = "double", [typeof(decimal)] = "decimal", [typeof(char)] = "char",
    };

    internal static List<string> Describe(Assembly assembly)
    {
        var lines = new List<string>();
        var nullability = new NullabilityInfoContext();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            lines.Add(TypeDeclaration(type));
            var members = new List<string>();
            foreach (var member in type.GetMembers(Declared))
            {
                if (Describe(type, member, nullability) is { } line)
                {
                    members.Add(line);
                }
            }

            members.Sort(StringComparer.Ordinal);
            lines.AddRange(members);
        }

        return lines;
    }

    private static string TypeDeclaration(Type type)
    {
        string kind;
        if (type.IsEnum)
        {
            kind = "enum";
        }
        else if (type.IsInterface)
        {
            kind = "interface";
        }
        else if (typeof(Delegate).IsAssignableFrom(type))
        {
            kind = "delegate";
        }
        else if (type.IsValueType)
        {
            kind = (type.IsDefined(typeof(IsReadOnlyAttribute)) ? "readonly " : "") + (IsRecord(type) ? "record struct" : "struct");
        }
        else
        {
            kind = (type.IsAbstract && type.IsSealed ? "static " : type.IsAbstract ? "abstract " : type.IsSealed ? "sealed " : "")
                + (IsRecord(type) ? "record" : "class");
        }

        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum) && !kind.EndsWith("delegate", StringComparison.Ordinal))
        {
            bases.Add(Name(baseType));
        }

        var inherited = type.BaseType?.GetInterfaces() ?? [];
        bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Where(i => !inherited.Contains(i)).Select(Name).Order(StringComparer.Ordinal));
        return $"{kind} {Name(type)}{(bases.Count == 0 ? "" : " : " + string.Join(", ", bases))}";
    }

    private static string? Describe(Type type, MemberInfo member, NullabilityInfoContext nullability)
    {
        var owner = Name(type);
        switch (member)
        {
            case ConstructorInfo constructor when Visible(constructor) && !constructor.IsStatic:
                return $"{Access(constructor)}{owner}.{Name(type, withArguments: false)}({Parameters(constructor, nullability)})";
            case MethodInfo method when Visible(method) && (!method.IsSpecialName || method.Name.StartsWith("op_", StringComparison.Ordinal)) && !IsCompilerGenerated(method):
                var generic = method.IsGenericMethod ? $"<{string.Join(", ", method.GetGenericArguments().Select(a => a.Name))}>" : "";
                return $"{Access(method)}{Modifiers(method, type)}{owner}.{method.Name}{generic}({Parameters(method, nullability)}) -> {Name(nullability.Create(method.ReturnParameter))}{Constraints(method)}";
            case PropertyInfo property:
                var getter = property.GetMethod is { } g && Visible(g) ? g : null;
                var setter = property.SetMethod is { } s && Visible(s) ? s : null;
                if (getter is null && setter is null)
                {
                    return null;
                }

                var accessors = (getter is null ? "" : "get; ") + (setter is null ? "" : IsInitOnly(setter) ? "init; " : "set; ");
                var indexer = property.GetIndexParameters() is { Length: > 0 } index ? $"[{string.Join(", ", index.Select(p => Parameter(p, nullability)))}]" : "";
                return $"{Access(getter ?? setter!)}{Modifiers(getter ?? setter!, type)}{owner}.{property.Name}{indexer} {{ {accessors}}} -> {Name(nullability.Create(property))}";
            case EventInfo @event when @event.AddMethod is { } add && Visible(add):
                return $"{Access(add)}{Modifiers(add, type)}event {owner}.{@event.Name} -> {Name(nullability.Create(@event))}";
            case FieldInfo field when Visible(field) && !field.IsSpecialName:
                if (type.IsEnum)
                {
                    return $"{owner}.{field.Name} = {Convert.ToInt64(field.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}";
                }

                var constant = field.IsLiteral ? $" = {Literal(field.GetRawConstantValue())}" : "";
                var fieldKind = field.IsLiteral ? "const " : (field.IsStatic ? "static " : "") + (field.IsInitOnly ? "readonly " : "");
                return $"{Access(field)}{fieldKind}{owner}.{field.Name} -> {Name(nullability.Create(field))}{constant}";
            default:
                return null;
        }
    }

    private static bool Visible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static bool Visible(FieldInfo field) => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly;

    private static string Access(MethodBase method) => method.IsPublic ? "" : "protected ";

    private static string Access(FieldInfo field) => field.IsPublic ? "" : "protected ";

    private static bool IsCompilerGenerated(MethodInfo method) =>
        method.IsDefined(typeof(CompilerGeneratedAttribute)) && method.Name is "<Clone>$" or "PrintMembers" or "get_EqualityContract";

    private static bool IsRecord(Type type) => type.GetMethod("<Clone>$") is not null || (type.IsValueType && type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null);

    private static bool IsInitOnly(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));

    private static string Modifiers(MethodInfo method, Type type)
    {
        if (method.IsStatic)
        {
            return "static ";
        }

        if (type.IsInterface)
        {
            return method.IsAbstract ? "" : "virtual ";
        }

        if (method.IsAbstract)
        {
            return "abstract ";
        }

        if (method.IsVirtual && !method.IsFinal)
        {
            return method.GetBaseDefinition().DeclaringType == method.DeclaringType ? "virtual " : "override ";
        }

        return method.IsVirtual && method.GetBaseDefinition().DeclaringType != method.DeclaringType ? "sealed override " : "";
    }

    private static string Parameters(MethodBase method, NullabilityInfoContext nullability)
    {
        var parameters = method.GetParameters().Select(p => Parameter(p, nullability));
        var prefix = method.IsDefined(typeof(ExtensionAttribute)) ? "this " : "";
        return prefix + string.Join(", ", parameters);
    }

    private static string Parameter(ParameterInfo parameter, NullabilityInfoContext nullability)
    {
        var modifier = parameter.IsOut ? "out " : parameter.ParameterType.IsByRef ? (parameter.IsIn ? "in " : "ref ") : parameter.IsDefined(typeof(ParamArrayAttribute)) ? "params " : "";
        var text = $"{modifier}{Name(nullability.Create(parameter))} {parameter.Name}";
        return parameter.HasDefaultValue ? $"{text} = {Literal(parameter.RawDefaultValue)}" : text;
    }

    private static string Constraints(MethodInfo method)
    {
        if (!method.IsGenericMethod)
        {
            return "";
        }

        var clauses = new StringBuilder();
        foreach (var argument in method.GetGenericArguments())
        {
            var constraints = new List<string>();
            var attributes = argument.GenericParameterAttributes;
            if (attributes.HasFlag(GenericParameterAttributes.ReferenceTypeConstraint))
            {
                constraints.Add("class");
            }

            if (attributes.HasFlag(GenericParameterAttributes.NotNullableValueTypeConstraint))
            {
                constraints.Add("struct");
            }

            constraints.AddRange(argument.GetGenericParameterConstraints().Where(c => c != typeof(ValueType)).Select(Name));
            if (attributes.HasFlag(GenericParameterAttributes.DefaultConstructorConstraint) && !attributes.HasFlag(GenericParameterAttributes.NotNullableValueTypeConstraint))
            {
                constraints.Add("new()");
            }

            if (constraints.Count > 0)
            {
                clauses.Append($" where {argument.Name} : {string.Join(", ", constraints)}");
            }
        }

        return clauses.ToString();
    }

    private static string Literal(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };

    private static string Name(NullabilityInfo info)
    {
        var type = info.Type;
        if (type.IsByRef)
        {
            // ref/out/in: the context gives the state of the referenced type, not an element NullabilityInfo.
            var element = type.GetElementType()!;
            var nullable = (info.ReadState == NullabilityState.Nullable || info.WriteState == NullabilityState.Nullable) && !element.IsValueType && !element.IsGenericParameter;
            return Name(element) + (nullable ? "?" : "");
        }

        string name;
        if (type.IsArray)
        {
            name = Name(info.ElementType!) + "[]";
        }
        else if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }
        else if (type.IsGenericType && info.GenericTypeArguments.Length > 0)
        {
            name = $"{GenericName(type)}<{string.Join(", ", info.GenericTypeArguments.Select(Name))}>";
        }
        else
        {
            name = Name(type);
        }

        // Type parameters print bare: the runtime's answer for an unconstrained T is not what the source says.
        return info.ReadState == NullabilityState.Nullable && !type.IsValueType && !type.IsGenericParameter ? name + "?" : name;
    }

    private static string Name(Type type) => Name(type, withArguments: true);

    private static string Name(Type type, bool withArguments)
    {
        if (type.IsByRef)
        {
            return Name(type.GetElementType()!);
        }

        if (Keywords.TryGetValue(type, out var keyword))
        {
            return keyword;
        }

        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (!withArguments)
        {
            var simple = type.Name;
            return simple.Contains('`', StringComparison.Ordinal) ? simple[..simple.IndexOf('`', StringComparison.Ordinal)] : simple;
        }

        return type.IsGenericType ? $"{GenericName(type)}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>" : FullName(type);
    }

    private static string GenericName(Type type)
    {
        var full = FullName(type.IsConstructedGenericType ? type.GetGenericTypeDefinition() : type);
        return full.Contains('`', StringComparison.Ordinal) ? full[..full.IndexOf('`', StringComparison.Ordinal)] : full;
    }

    private static string FullName(Type type) =>
        type.IsNested ? $"{FullName(type.DeclaringType!)}.{type.Name}" : $"{type.Namespace}.{type.Name}";
}

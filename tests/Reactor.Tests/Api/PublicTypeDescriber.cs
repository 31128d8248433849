using System.Reflection;
using System.Runtime.CompilerServices;

namespace Reactor.Tests.Api;

/// <summary>
/// Describes what <c>Microsoft.CodeAnalysis.PublicApiAnalyzers</c> leaves out of <c>PublicAPI.*.txt</c>, as sorted text
/// lines: each public type's declaration (kind, <c>static</c>/<c>abstract</c>/<c>sealed</c>/<c>readonly</c>, record, base
/// class, interfaces, constraints), then its members that are <c>protected</c> (the analyzer lists them as if public) and
/// its generic methods' constraints. Sealing a class, changing an exception's base, dropping an interface, narrowing a
/// member to protected or tightening a constraint breaks callers but leaves the analyzer's files unchanged.
/// </summary>
internal static class PublicTypeDescriber
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
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            lines.Add(Declaration(type));
            var members = new List<string>();
            foreach (var member in type.GetMembers(Declared))
            {
                members.AddRange(Describe(type, member));
            }

            members.Sort(StringComparer.Ordinal);
            lines.AddRange(members.Select(m => "  " + m));
        }

        return lines;
    }

    private static string Declaration(Type type)
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
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum) && kind != "delegate")
        {
            bases.Add(Name(baseType));
        }

        var inherited = type.BaseType?.GetInterfaces() ?? [];
        bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Where(i => !inherited.Contains(i)).Select(Name).Order(StringComparer.Ordinal));
        var generic = type.IsGenericTypeDefinition ? type.GetGenericArguments().Where(a => a.DeclaringType == type).ToArray() : [];
        return $"{kind} {Name(type)}{(bases.Count == 0 ? "" : " : " + string.Join(", ", bases))}{Constraints(generic)}";
    }

    private static IEnumerable<string> Describe(Type type, MemberInfo member)
    {
        var owner = Name(type);
        switch (member)
        {
            case ConstructorInfo constructor when constructor.IsFamily || constructor.IsFamilyOrAssembly:
                yield return $"protected {owner}.{SimpleName(type)}({Parameters(constructor)})";
                break;
            case MethodInfo method when Visible(method) && !method.IsSpecialName:
                var access = method.IsPublic ? "" : "protected ";
                var constraints = Constraints(method.GetGenericArguments());
                if (access.Length > 0 || constraints.Length > 0)
                {
                    var generic = method.IsGenericMethod ? $"<{string.Join(", ", method.GetGenericArguments().Select(a => a.Name))}>" : "";
                    yield return $"{access}{owner}.{method.Name}{generic}({Parameters(method)}){constraints}";
                }

                break;
            case PropertyInfo property:
                foreach (var (accessor, name) in new[] { (property.GetMethod, "get"), (property.SetMethod, "set") })
                {
                    if (accessor is not null && (accessor.IsFamily || accessor.IsFamilyOrAssembly))
                    {
                        var index = property.GetIndexParameters() is { Length: > 0 } parameters ? $"[{string.Join(", ", parameters.Select(p => Name(p.ParameterType)))}]" : "";
                        yield return $"protected {owner}.{property.Name}{index}.{name}";
                    }
                }

                break;
            case EventInfo @event when @event.AddMethod is { } add && (add.IsFamily || add.IsFamilyOrAssembly):
                yield return $"protected event {owner}.{@event.Name}";
                break;
            case FieldInfo field when field.IsFamily || field.IsFamilyOrAssembly:
                yield return $"protected {owner}.{field.Name}";
                break;
        }
    }

    private static bool Visible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static bool IsRecord(Type type) => type.GetMethod("<Clone>$") is not null || (type.IsValueType && type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null);

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p => (p.IsOut ? "out " : p.ParameterType.IsByRef ? (p.IsIn ? "in " : "ref ") : "") + Name(p.ParameterType)));

    private static string Constraints(Type[] arguments)
    {
        var clauses = "";
        foreach (var argument in arguments)
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
                clauses += $" where {argument.Name} : {string.Join(", ", constraints)}";
            }
        }

        return clauses;
    }

    private static string SimpleName(Type type) =>
        type.Name.Contains('`', StringComparison.Ordinal) ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] : type.Name;

    private static string Name(Type type)
    {
        if (type.IsByRef || type.IsArray)
        {
            return Name(type.GetElementType()!) + (type.IsArray ? "[]" : "");
        }

        if (Keywords.TryGetValue(type, out var keyword))
        {
            return keyword;
        }

        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (!type.IsGenericType)
        {
            return FullName(type);
        }

        var full = FullName(type.IsConstructedGenericType ? type.GetGenericTypeDefinition() : type);
        var bare = full.Contains('`', StringComparison.Ordinal) ? full[..full.IndexOf('`', StringComparison.Ordinal)] : full;
        return $"{bare}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>";
    }

    private static string FullName(Type type) =>
        type.IsNested ? $"{FullName(type.DeclaringType!)}.{type.Name}" : $"{type.Namespace}.{type.Name}";
}

// Node's net echo for the TCP benchmark: every chunk written straight back, pausing the socket while a write is
// buffered past the high-water mark and resuming on 'drain' (Node's documented flow control), TCP_NODELAY on.
//
//   node tcp_echo.js [--port 0] [--interface 127.0.0.1]
//
// Prints "Echo starting on <port>" once listening; SIGTERM stops it.
'use strict';
const net = require('net');

let port = 0;
let host = '127.0.0.1';
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--port') port = Number(process.argv[++i]);
  else if (process.argv[i] === '--interface') host = process.argv[++i];
  else if (process.argv[i] !== '--quiet') {
    console.error('usage: node tcp_echo.js [--port 0] [--interface 127.0.0.1]');
    process.exit(2);
  }
}

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('data', (chunk) => {
    if (!socket.write(chunk)) {
      socket.pause();
    }
  });
  socket.on('drain', () => socket.resume());
  socket.on('error', () => {});
});
server.listen(port, host, 4096, () => console.log(`Echo starting on ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

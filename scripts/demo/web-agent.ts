/**
 * The demo's fallback web server when nginx is not installed: `node web-agent.js NAME PORT`
 * answers every request with `NAME\n`, prints "listening" once it accepts connections, and runs
 * until it is stopped.
 */
import { createServer } from 'node:http';

const [name = 'node', portArg = '80'] = process.argv.slice(2);

const server = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', Connection: 'close' });
  res.end(`${name}\n`);
});
server.listen(Number(portArg), '0.0.0.0', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => process.exit(0));

/**
 * Lab helper process: sends hand-made VRRP messages from a lab host, to test what the daemon
 * drops. argv: IFNAME SOURCE DESTINATION then TTL:HEX pairs (the VRRP message in hex; the socket
 * writes the IPv4 header with that TTL). Prints "sent N" and exits.
 */
import { VrrpSocket } from '../../src/os/linux/vrrp-socket.js';

const [ifname = 'eth0', source = '', destination = '224.0.0.18', ...packets] = process.argv.slice(2);
const socket = VrrpSocket.open({ family: 4, interfaceName: ifname, sourceAddress: source, unicast: true });
let sent = 0;
try {
  for (const spec of packets) {
    const [ttl = '255', hex = ''] = spec.split(':');
    socket.send(Buffer.from(hex, 'hex'), destination, Number(ttl));
    sent++;
  }
} finally {
  socket.close();
}
process.stdout.write(`sent ${sent}\n`);

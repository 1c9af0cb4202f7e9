/**
 * enterNetworkNamespace: moves the calling thread (Node's main thread) into the network
 * namespace /run/netns/NAME, as keepalived's -s/--namespace does. Call it before opening any
 * socket: sockets keep the namespace they were created in. libuv worker threads (fs, dns) are
 * not moved; that does not matter for sockets created on the main thread.
 */
import { closeSync, openSync } from 'node:fs';
import { loadNative, type NativeAddon } from './native.js';
import { CLONE_NEWNET } from './linux-constants.js';
import { call } from './socket.js';
import { SocketError } from './socket-error.js';

export const NETNS_RUN_DIR = '/run/netns';

export function enterNetworkNamespace(name: string, native: NativeAddon = loadNative()): void {
  if (!/^[^/\0]+$/.test(name) || name === '.' || name === '..') {
    throw new SocketError('EINVAL', 'setns', `invalid namespace name: ${name}`);
  }
  let fd: number;
  try {
    fd = openSync(`${NETNS_RUN_DIR}/${name}`, 'r'); // startup only, before the event loop matters
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new SocketError(typeof code === 'string' ? code : 'EIO', 'open', `cannot open namespace ${name}: ${String(error)}`);
  }
  try {
    call('setns', () => native.setns(fd, CLONE_NEWNET));
  } finally {
    closeSync(fd);
  }
}

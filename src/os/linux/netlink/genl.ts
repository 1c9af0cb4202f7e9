/** Generic netlink family resolution over a NETLINK_GENERIC client. */
import { GENL_ID_CTRL } from './constants.js';
import { GenlFamilyNotFoundError, NetlinkDecodeError, NetlinkKernelError } from './errors.js';
import { decodeFamily, encodeGetFamily, GenlFamily } from './genl-codec.js';
import { NetlinkClient } from './client.js';

/** Resolves a family name ("IPVS", "nlctrl") to its id; GenlFamilyNotFoundError when absent. */
export async function resolveGenlFamily(client: NetlinkClient, name: string): Promise<GenlFamily> {
  let replies;
  try {
    replies = await client.request(GENL_ID_CTRL, encodeGetFamily(name), 0, `resolve genl family ${name}`);
  } catch (e) {
    if (e instanceof NetlinkKernelError && e.errnoName === 'ENOENT') throw new GenlFamilyNotFoundError(name);
    throw e;
  }
  const reply = replies.find((m) => m.type === GENL_ID_CTRL);
  if (reply === undefined) throw new NetlinkDecodeError(`no CTRL_CMD_NEWFAMILY reply for ${name}`, 0);
  return decodeFamily(reply.payload);
}

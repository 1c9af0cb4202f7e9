/**
 * IPVS over generic netlink: services, destinations, sync daemons, timeouts and flush.
 * `IpvsClient.open` resolves the "IPVS" family and reports a kernel without IPVS as
 * IpvsUnavailableError (code IPVS_UNAVAILABLE), so the daemon can fall back cleanly.
 */
import { AF_INET } from './constants.js';
import {
  IPVS_CMD_DEL_DEST, IPVS_CMD_DEL_SERVICE, IPVS_CMD_NEW_DEST, IPVS_CMD_NEW_SERVICE, IPVS_CMD_SET_DEST,
  IPVS_CMD_SET_SERVICE, IPVS_GENL_NAME,
} from './ipvs-constants.js';
import { GenlFamilyNotFoundError, IpvsUnavailableError } from './errors.js';
import { NetlinkClient } from './client.js';
import { resolveGenlFamily } from './genl.js';
import { decodeDestMessage, decodeServiceMessage, encodeDestCommand, encodeServiceCommand } from './ipvs-codec.js';
import {
  decodeConfigMessage, decodeDaemonMessage, encodeDelDaemon, encodeFlush, encodeGetConfig, encodeGetDaemon,
  encodeGetDests, encodeGetServices, encodeNewDaemon, encodeSetConfig,
} from './ipvs-misc-codec.js';
import {
  IpvsDaemon, IpvsDest, IpvsDestInfo, IpvsService, IpvsServiceInfo, IpvsServiceKey, IpvsTimeouts,
} from './ipvs-types.js';

export type IpvsDestKey = Pick<IpvsDest, 'address' | 'port' | 'family'>;

export function describeService(key: IpvsServiceKey): string {
  if ('fwmark' in key) return `FWM ${key.fwmark}${key.family === AF_INET ? '' : ' IPv6'}`;
  const host = key.address.includes(':') ? `[${key.address}]` : key.address;
  return `${key.protocol.toUpperCase()} ${host}:${key.port}`;
}

export class IpvsClient {
  private constructor(private readonly client: NetlinkClient, readonly familyId: number) {}

  /** Resolves the IPVS family on a NETLINK_GENERIC client. */
  static async open(client: NetlinkClient): Promise<IpvsClient> {
    try {
      const family = await resolveGenlFamily(client, IPVS_GENL_NAME);
      return new IpvsClient(client, family.id);
    } catch (e) {
      if (e instanceof GenlFamilyNotFoundError) {
        throw new IpvsUnavailableError('the kernel has no IPVS generic netlink family (ip_vs module not loaded or not built)');
      }
      throw e;
    }
  }

  async addService(svc: IpvsService): Promise<void> {
    await this.client.request(this.familyId, encodeServiceCommand(IPVS_CMD_NEW_SERVICE, svc), 0, `add IPVS service ${describeService(svc)}`);
  }

  async editService(svc: IpvsService): Promise<void> {
    await this.client.request(this.familyId, encodeServiceCommand(IPVS_CMD_SET_SERVICE, svc), 0, `edit IPVS service ${describeService(svc)}`);
  }

  async deleteService(key: IpvsServiceKey): Promise<void> {
    await this.client.request(this.familyId, encodeServiceCommand(IPVS_CMD_DEL_SERVICE, keyOf(key)), 0, `delete IPVS service ${describeService(key)}`);
  }

  async listServices(): Promise<IpvsServiceInfo[]> {
    const msgs = await this.client.dump(this.familyId, encodeGetServices(), 'list IPVS services');
    return msgs.map((m) => decodeServiceMessage(m.payload));
  }

  async addDest(key: IpvsServiceKey, dest: IpvsDest): Promise<void> {
    await this.client.request(this.familyId, encodeDestCommand(IPVS_CMD_NEW_DEST, keyOf(key), dest), 0, this.destText('add', key, dest));
  }

  async editDest(key: IpvsServiceKey, dest: IpvsDest): Promise<void> {
    await this.client.request(this.familyId, encodeDestCommand(IPVS_CMD_SET_DEST, keyOf(key), dest), 0, this.destText('edit', key, dest));
  }

  async deleteDest(key: IpvsServiceKey, dest: IpvsDestKey): Promise<void> {
    const d = { address: dest.address, port: dest.port, ...(dest.family !== undefined ? { family: dest.family } : {}) };
    await this.client.request(this.familyId, encodeDestCommand(IPVS_CMD_DEL_DEST, keyOf(key), d), 0, this.destText('delete', key, dest));
  }

  async listDests(key: IpvsServiceKey): Promise<IpvsDestInfo[]> {
    const msgs = await this.client.dump(this.familyId, encodeGetDests(keyOf(key)), `list IPVS dests of ${describeService(key)}`);
    return msgs.map((m) => decodeDestMessage(m.payload, key.family));
  }

  async startDaemon(daemon: IpvsDaemon): Promise<void> {
    await this.client.request(this.familyId, encodeNewDaemon(daemon), 0, `start IPVS ${daemon.state} sync daemon`);
  }

  async stopDaemon(state: IpvsDaemon['state']): Promise<void> {
    await this.client.request(this.familyId, encodeDelDaemon(state), 0, `stop IPVS ${state} sync daemon`);
  }

  async listDaemons(): Promise<IpvsDaemon[]> {
    const msgs = await this.client.dump(this.familyId, encodeGetDaemon(), 'list IPVS sync daemons');
    return msgs.map((m) => decodeDaemonMessage(m.payload));
  }

  async getTimeouts(): Promise<IpvsTimeouts> {
    const msgs = await this.client.request(this.familyId, encodeGetConfig(), 0, 'get IPVS timeouts');
    const first = msgs[0];
    if (first === undefined) return { tcpSec: 0, tcpFinSec: 0, udpSec: 0 };
    return decodeConfigMessage(first.payload);
  }

  async setTimeouts(t: IpvsTimeouts): Promise<void> {
    await this.client.request(this.familyId, encodeSetConfig(t), 0, 'set IPVS timeouts');
  }

  /** Removes every service and destination. */
  async flush(): Promise<void> {
    await this.client.request(this.familyId, encodeFlush(), 0, 'flush IPVS');
  }

  private destText(verb: string, key: IpvsServiceKey, dest: IpvsDestKey): string {
    const host = dest.address.includes(':') ? `[${dest.address}]` : dest.address;
    return `${verb} IPVS dest ${host}:${dest.port} of ${describeService(key)}`;
  }
}

/** Strips a full service down to the attributes that identify it. */
function keyOf(key: IpvsServiceKey): IpvsServiceKey {
  if ('fwmark' in key) return { family: key.family, fwmark: key.fwmark };
  return { family: key.family, protocol: key.protocol, address: key.address, port: key.port };
}

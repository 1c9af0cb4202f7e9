/**
 * use_vmac naming: the names tried for an instance's VMAC, and a binding moved onto another name.
 * keepalived 2.2.7, when `vrrp.VRID` exists but is not a matching VMAC, leaves that interface
 * alone and creates `vrrp1.VRID` instead (measured in the lab); a configured name is used as given.
 */
import type { InstanceBinding, VmacBinding } from './config-adapter.js';

/** How many alternative default names are tried before the instance gives up. */
const MAX_ALTERNATIVES = 9;

export function vmacCandidates(vmac: VmacBinding, vrid: number): string[] {
  if (!vmac.defaultName) return [vmac.name];
  const out = [vmac.name];
  for (let i = 1; i <= MAX_ALTERNATIVES; i++) out.push(`vrrp${i}.${vrid}`);
  return out;
}

/** The same binding with its VMAC (and the VIPs on it) under another interface name. */
export function renameVmac(binding: InstanceBinding, name: string): InstanceBinding {
  const old = binding.vmac;
  if (old === undefined) return binding;
  return {
    ...binding,
    vmac: { ...old, name, configuredName: old.configuredName ?? old.name },
    vips: binding.vips.map((v) => (v.interfaceName === old.name ? { ...v, interfaceName: name } : v)),
  };
}

/** Reload: a new binding for a running instance whose VMAC got another name keeps that name. */
export function followVmac(binding: InstanceBinding, running: InstanceBinding | undefined): InstanceBinding {
  const now = running?.vmac;
  if (now?.configuredName === undefined || binding.vmac?.name !== now.configuredName) return binding;
  return renameVmac(binding, now.name);
}

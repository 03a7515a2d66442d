/**
 * IPAM for every jnet driver and the {@code jnet-ipam} CNI plugin. {@link io.jnet.ipam.Ipam} allocates addresses
 * from an {@link io.jnet.ipam.IpamConfig} (host-local's schema plus {@code exclude}) and keeps them in a
 * crash-safe store under {@code <root>/ipam/<network>/}: per-network file lock, one file per leased address and one
 * per owner, temp file + fsync + rename + directory fsync, and a bitmap index per range set that is only a hint.
 * Allocation and release cost the same whatever the number of leases; a repeated ADD returns the held lease; GC
 * releases what the runtime no longer lists. {@link io.jnet.ipam.IpamPlugin} is the CNI face of the same code,
 * and the helpers drivers use to run IPAM in-process. Nothing here execs a process or loads JNA.
 */
package io.jnet.ipam;

// The PHY's view of the cable: STATUS.LU is up when the driver has set CTRL.SLU and the link the
// NIC's port is plugged into has carrier. Any change raises ICR.LSC (link status change).

import { CTRL, CTRL_SLU, STATUS, STATUS_LU, STATUS_FD, STATUS_SPEED_1000, STATUS_SPEED_MASK, ICR_LSC } from "../e1000/registers";
import { E_ENDPOINT, EP_LINK, L_UP } from "../e1000/machine";
import { machineOf, endpointAt, linkAt } from "./machine";
import { raise } from "./interrupts";

/** True if the endpoint is plugged into a link that has carrier. */
export function carrier(m: u32, endpoint: u32): bool {
  const ep = endpointAt(m, endpoint);
  if (ep == 0) return false;
  const linkNo = load<u32>(ep + EP_LINK);
  if (linkNo == 0) return false;
  const link = linkAt(m, linkNo - 1);
  return link != 0 && atomic.load<u32>(link + L_UP) != 0;
}

/** Recomputes STATUS.LU (1000 Mb/s full duplex when up) and raises LSC if it changed. */
export function updateLinkStatus(nic: u32): void {
  const up = (atomic.load<u32>(nic + CTRL) & CTRL_SLU) != 0 && carrier(machineOf(nic), load<u32>(nic + E_ENDPOINT));
  const before = atomic.load<u32>(nic + STATUS);
  let after = (before & ~(STATUS_LU | STATUS_SPEED_MASK)) | STATUS_FD;
  if (up) after |= STATUS_LU | STATUS_SPEED_1000;
  atomic.store<u32>(nic + STATUS, after);
  if ((before ^ after) & STATUS_LU) raise(nic, ICR_LSC);
}

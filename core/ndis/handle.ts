// NDIS handles: opaque objects a driver stores and passes back. Only the runtime looks inside;
// a driver in a worker holds a mirror with the same kind, id and label (core/host/codec.ts).
//
// Only NDIS makes them (`issueHandle`): the constructor wants a token this module keeps, so a
// driver that reaches `handle.constructor` cannot make one with another handle's id. The runtime
// also resolves a handle by identity, not by its id (engine.ts `resolve`).

const ISSUED_BY_NDIS = Symbol('issued by NDIS');

export class NdisHandle {
  constructor(readonly kind: string, readonly id: number, readonly label: string, issuer?: symbol) {
    if (issuer !== ISSUED_BY_NDIS) throw new TypeError('an NDIS_HANDLE is made by NDIS and given to the driver; a driver cannot make one (pass back a handle NDIS gave it)');
    Object.freeze(this);
  }

  toString(): string {
    return `${this.kind} handle ${this.id} (${this.label})`;
  }
}

/** A new handle (NDIS's side, or a driver worker's mirror of one NDIS made). */
export function issueHandle(kind: string, id: number, label: string): NdisHandle {
  return new NdisHandle(kind, id, label, ISSUED_BY_NDIS);
}

// NDIS handles: opaque objects a driver stores and passes back. Only the runtime looks inside;
// a driver in a worker holds a mirror with the same kind, id and label (core/host/codec.ts).

export class NdisHandle {
  constructor(readonly kind: string, readonly id: number, readonly label: string) {
    Object.freeze(this);
  }

  toString(): string {
    return `${this.kind} handle ${this.id} (${this.label})`;
  }
}

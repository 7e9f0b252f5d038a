// What NdisRegisterProtocolDriver and NdisFRegisterFilterDriver check in the characteristics a
// driver registers with, and the status each failure gets: the NDIS_OBJECT_HEADER (type, revision,
// size), the NDIS version the driver is written for, and the handlers NDIS requires. The docs'
// return values: NDIS_STATUS_BAD_VERSION for a MajorNdisVersion/MinorNdisVersion NDIS does not
// support, NDIS_STATUS_BAD_CHARACTERISTICS for a structure that is not valid. And what
// NdisOpenAdapterEx checks in NDIS_OPEN_PARAMETERS.

import { NDIS_STATUS_BAD_VERSION, NDIS_STATUS_BAD_CHARACTERISTICS, NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_UNSUPPORTED_MEDIA, NDIS_STATUS_ADAPTER_NOT_FOUND } from './status.ts';
import { headerProblem } from './structures.ts';
import {
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS,
  NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2,
  NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NDIS_MAX_FRAME_TYPES_PER_OPEN, NdisMedium802_3,
} from './constants.ts';

/** The NDIS 6 minor versions the docs list for MinorNdisVersion (6.0, 6.1, 6.20 ... 6.89). */
const MINOR_VERSIONS: ReadonlySet<number> = new Set([0, 1, 20, 30, 40, 50, 51, 60, 70, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89]);

export type DriverKind = 'protocol' | 'filter';

const SHAPES = {
  protocol: {
    structure: 'NDIS_PROTOCOL_DRIVER_CHARACTERISTICS',
    type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS,
    typeName: 'NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS',
    sizes: [NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2],
    revisionName: 'NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION',
    sizeName: 'NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION',
  },
  filter: {
    structure: 'NDIS_FILTER_DRIVER_CHARACTERISTICS',
    type: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS,
    typeName: 'NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS',
    sizes: [NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2],
    revisionName: 'NDIS_FILTER_CHARACTERISTICS_REVISION',
    sizeName: 'NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION',
  },
} as const;

export interface CharacteristicsCheck {
  /** NDIS_STATUS_BAD_VERSION or NDIS_STATUS_BAD_CHARACTERISTICS when NDIS refuses them, else undefined. */
  status: number | undefined;
  problems: string[];
  /** MinorNdisVersion, when the version is one NDIS supports. */
  minorNdisVersion: number;
}

/** Checks `characteristics` as registration does; `missingHandlers` are the handler problems found by the caller. */
export function checkCharacteristics(kind: DriverKind, characteristics: unknown, handlerProblems: string[]): CharacteristicsCheck {
  const shape = SHAPES[kind];
  if (characteristics === null || typeof characteristics !== 'object') {
    return { status: NDIS_STATUS_BAD_CHARACTERISTICS, problems: [`the characteristics are ${characteristics === null ? 'null' : typeof characteristics}, not an ${shape.structure}`], minorNdisVersion: 0 };
  }
  const c = characteristics as { Header?: { Type?: unknown; Revision?: unknown; Size?: unknown } | null; MajorNdisVersion?: unknown; MinorNdisVersion?: unknown };
  const header = c.Header;
  const problems: string[] = [];
  if (header === null || typeof header !== 'object') {
    problems.push(`${shape.structure}.Header is missing: set it to { Type: ${shape.typeName}, Revision: ${shape.revisionName}_1, Size: ${shape.sizeName}_1 }`);
  } else if (header.Type !== shape.type) {
    problems.push(`Header.Type is ${String(header.Type)}; it must be ${shape.typeName} (0x${shape.type.toString(16)})`);
  } else if (header.Revision !== 1 && header.Revision !== 2) {
    problems.push(`Header.Revision is ${String(header.Revision)}; it must be ${shape.revisionName}_1 or _2`);
  } else if (typeof header.Size !== 'number' || header.Size < shape.sizes[header.Revision - 1]!) {
    problems.push(`Header.Size is ${String(header.Size)}; revision ${header.Revision} needs ${shape.sizeName}_${header.Revision} (${shape.sizes[header.Revision - 1]})`);
  }
  problems.push(...handlerProblems);
  if (problems.length > 0) return { status: NDIS_STATUS_BAD_CHARACTERISTICS, problems, minorNdisVersion: 0 };
  const minor = c.MinorNdisVersion;
  if (c.MajorNdisVersion !== 6 || typeof minor !== 'number' || !MINOR_VERSIONS.has(minor)) {
    return { status: NDIS_STATUS_BAD_VERSION, problems: [`MajorNdisVersion ${String(c.MajorNdisVersion)}, MinorNdisVersion ${String(minor)} is not an NDIS 6 version (MajorNdisVersion 6; MinorNdisVersion 0, 1, 20, 30 ... 89)`], minorNdisVersion: 0 };
  }
  return { status: undefined, problems: [], minorNdisVersion: minor };
}

/**
 * NDIS_OPEN_PARAMETERS as NdisOpenAdapterEx takes them. Returns the index in MediumArray of the
 * adapter's medium (NdisMedium802_3), which NDIS also writes to SelectedMediumIndex (a one-element
 * Uint32Array, C's PUINT), or the status the open fails with and why:
 * NDIS_STATUS_UNSUPPORTED_MEDIA when MediumArray lists no medium the adapter uses (the docs' return
 * value), NDIS_STATUS_ADAPTER_NOT_FOUND for an AdapterName other than the one NDIS passed to
 * ProtocolBindAdapterEx, NDIS_STATUS_INVALID_PARAMETER for a missing or wrong Header (the docs
 * tell the caller to set Type, Revision and Size; NIC Lab holds drivers to it) or more frame
 * types than NDIS_MAX_FRAME_TYPES_PER_OPEN. FrameTypeArray is a hint to NDIS, not a receive filter.
 */
export function checkOpenParameters(parameters: unknown, adapterName: string): number | { status: number; why: string } {
  const fail = (status: number, why: string) => ({ status, why: `NdisOpenAdapterEx: ${why}` });
  if (parameters === null || typeof parameters !== 'object') return fail(NDIS_STATUS_INVALID_PARAMETER, `OpenParameters is ${parameters === null ? 'null' : typeof parameters}; pass an NDIS_OPEN_PARAMETERS`);
  const p = parameters as { Header?: unknown; AdapterName?: unknown; MediumArray?: unknown; MediumArraySize?: unknown; SelectedMediumIndex?: unknown; FrameTypeArray?: unknown; FrameTypeArraySize?: unknown };
  const header = headerProblem(p.Header, 'OpenParameters', NDIS_OBJECT_TYPE_OPEN_PARAMETERS, 'NDIS_OBJECT_TYPE_OPEN_PARAMETERS', NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, 'NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1');
  if (header) return fail(NDIS_STATUS_INVALID_PARAMETER, header);
  if (p.AdapterName !== adapterName) return fail(NDIS_STATUS_ADAPTER_NOT_FOUND, `OpenParameters.AdapterName is ${JSON.stringify(p.AdapterName)}; pass the AdapterName of the BindParameters (${JSON.stringify(adapterName)})`);
  const media = Array.isArray(p.MediumArray) ? p.MediumArray : [];
  const size = typeof p.MediumArraySize === 'number' ? Math.min(p.MediumArraySize, media.length) : 0;
  const index = media.slice(0, size).indexOf(NdisMedium802_3);
  if (index < 0) return fail(NDIS_STATUS_UNSUPPORTED_MEDIA, `OpenParameters.MediumArray (its first MediumArraySize entries) lists no medium the adapter uses; it uses NdisMedium802_3`);
  const frameTypes = typeof p.FrameTypeArraySize === 'number' ? p.FrameTypeArraySize : 0;
  if (frameTypes > NDIS_MAX_FRAME_TYPES_PER_OPEN) return fail(NDIS_STATUS_INVALID_PARAMETER, `OpenParameters.FrameTypeArraySize is ${frameTypes}; at most NDIS_MAX_FRAME_TYPES_PER_OPEN (${NDIS_MAX_FRAME_TYPES_PER_OPEN})`);
  if (p.SelectedMediumIndex instanceof Uint32Array && p.SelectedMediumIndex.length > 0) p.SelectedMediumIndex[0] = index;
  return index;
}

// Where each of a driver's handlers is declared in the learner's source, for the findings that
// arise when none of the driver's code is on the stack: a handler that returned a Promise or held a
// lock, a PENDING it never completed (the watchdog that notices runs NDIS's code, not the
// driver's), a handler whose thread hung and was stopped (its stack is no longer there to read).
// Such a finding's place is the declaration of the handler it is about (`kind: 'handler'`), not a
// call the driver made.
//
// The places are read from the text, never from the running driver: the source is compiled as the
// loader compiles it (sucrase keeps lines; its map gives back columns), parsed with acorn, and the
// handlers found where NDIS takes them: the properties of the object literal passed to
// NdisRegisterProtocolDriver / NdisFRegisterFilterDriver (a method, a function written there, or
// the name of a function declared once in the module), DriverEntry, `DriverObject.DriverUnload =`,
// a TimerFunction or work item routine when the module has exactly one. Anything else (a computed
// key, a getter, a spread, a Proxy, a handler chosen at run time, a name declared twice) has no
// place: the finding then has none rather than a wrong one. Nothing the driver's code does at run
// time (getters, Proxies, toString, Error) is read, so it can neither move a place nor break this
// path; and a place is display only, like every finding location (verifier.ts).
//
// It runs in the core's thread, from the source the core was given, after a run that made such a
// finding (NdisRuntime.placeFindings): this module, and acorn with it, is imported only then, so a
// correct driver never pays for it (in the site acorn stays a chunk of its own). The rules and
// labels the engine needs while it runs are in handler-labels.ts.

import { parse } from 'acorn';
import { transform } from 'sucrase';
import { SourcePositions } from './source-positions.ts';
import type { HandlerPlaces } from './handler-labels.ts';

/** The characteristics member NDIS calls each handler through, by the registration that names it. */
const PROTOCOL_MEMBERS: Record<string, string> = {
  ProtocolBindAdapterEx: 'BindAdapterHandlerEx',
  ProtocolUnbindAdapterEx: 'UnbindAdapterHandlerEx',
  ProtocolOpenAdapterCompleteEx: 'OpenAdapterCompleteHandlerEx',
  ProtocolCloseAdapterCompleteEx: 'CloseAdapterCompleteHandlerEx',
  ProtocolNetPnPEvent: 'NetPnPEventHandler',
  ProtocolUninstall: 'UninstallHandler',
  ProtocolOidRequestComplete: 'OidRequestCompleteHandler',
  ProtocolStatusEx: 'StatusHandlerEx',
  ProtocolReceiveNetBufferLists: 'ReceiveNetBufferListsHandler',
  ProtocolSendNetBufferListsComplete: 'SendNetBufferListsCompleteHandler',
};
const FILTER_MEMBERS: Record<string, string> = {
  FilterAttach: 'AttachHandler',
  FilterDetach: 'DetachHandler',
  FilterRestart: 'RestartHandler',
  FilterPause: 'PauseHandler',
  FilterSendNetBufferLists: 'SendNetBufferListsHandler',
  FilterSendNetBufferListsComplete: 'SendNetBufferListsCompleteHandler',
  FilterReceiveNetBufferLists: 'ReceiveNetBufferListsHandler',
  FilterReturnNetBufferLists: 'ReturnNetBufferListsHandler',
  FilterStatus: 'StatusHandler',
  FilterNetPnPEvent: 'NetPnPEventHandler',
  FilterDevicePnPEventNotify: 'DevicePnPEventNotifyHandler',
  FilterOidRequest: 'OidRequestHandler',
  FilterOidRequestComplete: 'OidRequestCompleteHandler',
  FilterCancelOidRequest: 'CancelOidRequestHandler',
};

/** The registration call and the index of its characteristics argument. */
const REGISTRATIONS: Record<string, { argument: number; members: Record<string, string> }> = {
  NdisRegisterProtocolDriver: { argument: 1, members: PROTOCOL_MEMBERS },
  NdisFRegisterFilterDriver: { argument: 2, members: FILTER_MEMBERS },
};

/** An acorn node with the fields read here (everything optional: the walk is generic). */
interface AnyNode {
  type: string;
  [key: string]: unknown;
  loc?: { start: { line: number; column: number } } | null;
}

const isNode = (value: unknown): value is AnyNode => value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string';

/** Every node of `root`, without recursion (a deeply nested driver must not overflow the core's stack). */
function* nodesOf(root: AnyNode): Generator<AnyNode> {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    yield node;
    for (const key of Object.keys(node)) {
      if (key === 'loc') continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) if (isNode(value[i])) stack.push(value[i] as AnyNode);
      } else if (isNode(value)) stack.push(value);
    }
  }
}

/** A non-computed member or property name (`a.Name`, `{ Name: ... }`, `{ "Name": ... }`). */
function keyName(node: AnyNode, computed: unknown): string | undefined {
  if (computed === true) return undefined;
  if (node.type === 'Identifier') return node['name'] as string;
  if (node.type === 'Literal' && typeof node['value'] === 'string') return node['value'];
  return undefined;
}

/**
 * The NDIS function a call calls, and where its own arguments start: sucrase compiles
 * `NdisF(a, b)` (an import from "ndis") to `_ndis.NdisF.call(void 0, a, b)`; `(0, _ndis.NdisF)(a)`
 * and a plain `NdisF(a)` are taken too.
 */
function callee(call: AnyNode): { name: string; first: number } | undefined {
  let target = call['callee'] as AnyNode;
  let first = 0;
  if (target.type === 'MemberExpression' && keyName(target['property'] as AnyNode, target['computed']) === 'call' && (target['object'] as AnyNode).type === 'MemberExpression') {
    target = target['object'] as AnyNode;
    first = 1;
  }
  if (target.type === 'SequenceExpression') target = (target['expressions'] as AnyNode[]).at(-1)!;
  if (target.type === 'Identifier') return { name: target['name'] as string, first };
  if (target.type === 'MemberExpression') {
    const name = keyName(target['property'] as AnyNode, target['computed']);
    return name ? { name, first } : undefined;
  }
  return undefined;
}

const isFunction = (node: AnyNode) => node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';

/** The last few drivers' places: grading runs one source under many scenarios and seeds, each a runtime of its own. */
const recent = new Map<string, HandlerPlaces>();
const RECENT = 4;

/**
 * The places of `source`'s handlers (an empty map when it does not compile or parse). Never throws.
 */
export function handlerPlaces(source: string, fileName: string): HandlerPlaces {
  const key = `${fileName}\n${source}`;
  const known = recent.get(key);
  if (known) return known;
  const places = readPlaces(source, fileName);
  if (recent.size >= RECENT) recent.delete(recent.keys().next().value!);
  recent.set(key, places);
  return places;
}

function readPlaces(source: string, fileName: string): HandlerPlaces {
  const places = new Map<string, { line: number; column: number }>();
  try {
    const compiled = transform(source, { transforms: ['typescript', 'imports'], filePath: fileName, production: true, sourceMapOptions: { compiledFilename: fileName } });
    // acorn's positions are in the compiled code itself: nothing of the loader's header stands before line 1.
    const positions = new SourcePositions({ fileName, map: { ...compiled.sourceMap!, version: 3 }, firstLineColumns: 0 });
    let root: AnyNode;
    try {
      root = parse(compiled.code, { ecmaVersion: 'latest', sourceType: 'module', allowReturnOutsideFunction: true, locations: true }) as unknown as AnyNode;
    } catch {
      root = parse(compiled.code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, locations: true }) as unknown as AnyNode;
    }
    const nodes = [...nodesOf(root)];

    // Every name the module declares, with what it declares: a name declared more than once (in
    // two scopes, say) is not resolved, since which one a reference means is not read here.
    const declared = new Map<string, AnyNode[]>();
    const declare = (name: string, node: AnyNode) => declared.set(name, [...(declared.get(name) ?? []), node]);
    for (const node of nodes) {
      if ((node.type === 'FunctionDeclaration' || node.type === 'ClassDeclaration') && isNode(node['id'])) declare(node['id']['name'] as string, node);
      if (node.type === 'VariableDeclarator' && isNode(node['id']) && node['id'].type === 'Identifier') declare(node['id']['name'] as string, node);
    }
    const only = (name: string) => {
      const found = declared.get(name);
      return found?.length === 1 ? found[0] : undefined;
    };

    /** Where the function `value` (a function written there, or a name of one) is declared; `at` is where it is written. */
    const functionPlace = (value: AnyNode, at: AnyNode): AnyNode | undefined => {
      if (isFunction(value)) return at;
      if (value.type !== 'Identifier') return undefined;
      const declaration = only(value['name'] as string);
      if (declaration?.type === 'FunctionDeclaration') return declaration['id'] as AnyNode;
      if (declaration?.type === 'VariableDeclarator' && isNode(declaration['init']) && isFunction(declaration['init'])) return declaration['id'] as AnyNode;
      return undefined;
    };

    // Found more than once at different places (two registrations, two timers): no place.
    const found = new Map<string, AnyNode | null>();
    // A member that is there but not resolved here (a getter, a value chosen at run time) spoils the place too.
    const note = (handler: string, node: AnyNode | undefined) => {
      if (!node?.loc) return void found.set(handler, null);
      const before = found.get(handler);
      found.set(handler, before === undefined || before === node ? node : null);
    };

    for (const node of nodes) {
      if (node.type === 'CallExpression') {
        const called = callee(node);
        const args = node['arguments'] as AnyNode[];
        const registration = called ? REGISTRATIONS[called.name] : undefined;
        if (called && registration) {
          let characteristics: AnyNode | undefined = args[called.first + registration.argument];
          if (characteristics?.type === 'Identifier') {
            const declaration = only(characteristics['name'] as string);
            characteristics = declaration?.type === 'VariableDeclarator' && isNode(declaration['init']) ? declaration['init'] : undefined;
          }
          if (characteristics?.type !== 'ObjectExpression') continue;
          // The last property of a name is the one the object has; a spread after it may replace it.
          const members = new Map<string, AnyNode | undefined>();
          for (const property of characteristics['properties'] as AnyNode[]) {
            if (property.type !== 'Property') {
              for (const name of members.keys()) members.set(name, undefined);
              continue;
            }
            const name = keyName(property['key'] as AnyNode, property['computed']);
            if (name === undefined) {
              // A computed key may be any member: none of those before it stands for sure.
              for (const known of members.keys()) members.set(known, undefined);
              continue;
            }
            members.set(name, property['kind'] === 'init' ? functionPlace(property['value'] as AnyNode, property['key'] as AnyNode) : undefined);
          }
          for (const [handler, member] of Object.entries(registration.members)) if (members.has(member)) note(handler, members.get(member));
        }
        if (called?.name === 'NdisQueueIoWorkItem' && args[called.first + 1]) note('WorkItemRoutine', functionPlace(args[called.first + 1]!, args[called.first + 1]!));
      }
      if (node.type === 'Property' && node['kind'] === 'init' && keyName(node['key'] as AnyNode, node['computed']) === 'TimerFunction') note('TimerFunction', functionPlace(node['value'] as AnyNode, node['key'] as AnyNode));
      if (node.type === 'AssignmentExpression' && (node['left'] as AnyNode).type === 'MemberExpression') {
        const left = node['left'] as AnyNode;
        if (keyName(left['property'] as AnyNode, left['computed']) === 'DriverUnload') note('DriverUnload', functionPlace(node['right'] as AnyNode, node['right'] as AnyNode));
      }
    }
    const entry = only('DriverEntry');
    if (entry?.type === 'FunctionDeclaration') note('DriverEntry', entry['id'] as AnyNode);
    else if (entry?.type === 'VariableDeclarator' && isNode(entry['init']) && isFunction(entry['init'])) note('DriverEntry', entry['id'] as AnyNode);

    for (const [handler, node] of found) {
      if (!node?.loc) continue;
      const at = positions.original(node.loc.start.line, node.loc.start.column + 1);
      if (Number.isSafeInteger(at.line) && at.line > 0 && Number.isSafeInteger(at.column) && at.column > 0) places.set(handler, at);
    }
  } catch {
    // Source that does not compile or parse here (it loaded, so this is not expected), or nesting
    // deeper than the parser's own recursion: no places, and findings without them.
    places.clear();
  }
  return places;
}

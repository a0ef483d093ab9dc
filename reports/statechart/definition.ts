/**
 * The statechart as plain data for the renderers. Reports take the machine from their caller and
 * never import the model's runtime code; this file reads either the XState machine object (what
 * the harness passes) or its JSON definition (`statechartDefinition`, what model.json holds) into
 * one small graph: state nodes and transitions with the element ids the oracle reports (a state's
 * path joined by '.', a transition's `meta.id`), so a colouring keyed by element id applies.
 *
 * XState's own `toJSON()` leaves out eventless (`always`) transitions, which in this model are the
 * deadlines; `statechartDefinition` adds them back on each node under `always`, in the same
 * shape as `transitions`, so model.json is complete. It also writes each compound state's
 * `initial` as the child's key (toJSON gives a transition object, which `createMachine` does not
 * take) and drops it elsewhere, and can carry a static `context`: so model.json is a machine
 * config that XState's `createMachine` + `createActor` start and run, given the named guards and
 * actions (cli/commands/model.test.ts runs it against the project's machine).
 */

export type StateKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface ChartState {
  /** Element id: the state's path without the machine id ('A.registered.primaryOnline'). */
  readonly id: string;
  readonly key: string;
  readonly parent: string | null;
  readonly kind: StateKind;
  readonly description: string;
  readonly initial?: string;
  readonly children: readonly string[];
}

export interface ChartTransition {
  /** Element id (`meta.id`), e.g. 'A.registered/scanLimitReached'. */
  readonly id: string;
  readonly source: string;
  /** '' for an eventless (time) transition. */
  readonly event: string;
  readonly targets: readonly string[];
  /** Refusal code, when the transition refuses the step. */
  readonly code?: string;
  /** The rule's short name: the id after '/'. */
  readonly name: string;
  readonly description: string;
  readonly requirements: readonly string[];
  readonly companion?: string;
}

export interface Statechart {
  readonly machineId: string;
  readonly description: string;
  readonly root: string;
  readonly states: ReadonlyMap<string, ChartState>;
  readonly transitions: readonly ChartTransition[];
}

// ---- the machine object, duck-typed (XState 5 StateNode / TransitionDefinition) ---------------
interface NodeLike {
  readonly id: string;
  readonly toJSON: () => unknown;
  readonly always?: readonly TransitionLike[];
  readonly states: Record<string, NodeLike>;
}
interface TransitionLike {
  readonly source: { readonly id: string };
  readonly target?: ReadonlyArray<{ readonly id: string }>;
  readonly eventType: string;
  readonly guard?: unknown;
  readonly actions?: unknown;
  readonly description?: string;
  readonly meta?: unknown;
}
/** An XState machine (its root state node is read duck-typed, see NodeLike). */
export interface MachineLike { readonly root: object; readonly toJSON: () => unknown }

type JsonNode = Record<string, unknown> & { states?: Record<string, JsonNode> };
type JsonTransition = {
  eventType?: string | null; source?: string; target?: string[]; description?: string;
  meta?: { id?: string; requirements?: string[]; code?: string; companion?: string };
};

const isMachine = (def: unknown): def is MachineLike =>
  typeof def === 'object' && def !== null && 'root' in def && typeof (def as MachineLike).toJSON === 'function';

const alwaysJson = (t: TransitionLike): JsonTransition & Record<string, unknown> => ({
  ...(t.guard !== undefined ? { guard: t.guard } : {}),
  target: (t.target ?? []).map((n) => `#${n.id}`),
  actions: t.actions ?? [],
  description: t.description,
  meta: t.meta as JsonTransition['meta'],
  source: `#${t.source.id}`,
  eventType: '',
});

/**
 * The machine's JSON definition: each node's eventless transitions added under `always`, each
 * compound node's `initial` as its initial child's key, and `context` when given (XState cannot
 * serialise a context function).
 */
export function statechartDefinition(machine: MachineLike, options: { context?: unknown } = {}): JsonNode {
  const json = JSON.parse(JSON.stringify(machine.toJSON())) as JsonNode;
  const visit = (node: NodeLike, out: JsonNode) => {
    if (node.always?.length) out.always = node.always.map(alwaysJson);
    const target = (out.initial as { target?: string[] } | undefined)?.target?.[0];
    if (target && out.type === 'compound') out.initial = target.slice(target.lastIndexOf('.') + 1);
    else delete out.initial;
    for (const [key, child] of Object.entries(node.states)) visit(child, out.states![key]!);
  };
  visit(machine.root as NodeLike, json);
  return options.context === undefined ? json : { ...json, context: options.context };
}

/** Reads the machine (object or JSON definition) into the renderers' graph. */
export function readStatechart(def: unknown): Statechart {
  const json = isMachine(def) ? statechartDefinition(def) : (def as JsonNode);
  if (typeof json !== 'object' || json === null || typeof json.id !== 'string') throw new Error('readStatechart: not a statechart definition');
  const machineId = json.id;
  // '#link.A.registered' or 'link.A.registered' -> 'A.registered' (the root is '').
  const elementId = (ref: string) => ref.replace(/^#/, '').split('.').slice(1).join('.');
  const states = new Map<string, ChartState>();
  const transitions: ChartTransition[] = [];
  const visit = (node: JsonNode, parent: string | null) => {
    const id = elementId(String(node.id));
    const children = Object.values(node.states ?? {}).map((c) => elementId(String(c.id)));
    // `initial` is a child's key (model.json, as createMachine takes it) or toJSON's transition object.
    const initial = typeof node.initial === 'string'
      ? (id ? `${id}.${node.initial}` : node.initial)
      : (node.initial as { target?: string[] } | undefined)?.target?.map(elementId)[0];
    states.set(id, {
      id, key: String(node.key ?? id), parent, kind: (node.type as StateKind) ?? 'atomic',
      description: String(node.description ?? ''), children,
      ...(initial ? { initial } : {}),
    });
    const own = [...((node.transitions as JsonTransition[] | undefined) ?? []), ...((node.always as JsonTransition[] | undefined) ?? [])];
    for (const t of own) {
      const tid = t.meta?.id;
      if (!tid) throw new Error(`readStatechart: a transition of ${id || machineId} has no meta.id`);
      transitions.push({
        id: tid, source: id, event: t.eventType ?? '',
        targets: (t.target ?? []).map(elementId),
        ...(t.meta?.code ? { code: t.meta.code } : {}),
        ...(t.meta?.companion ? { companion: t.meta.companion } : {}),
        name: tid.slice(tid.lastIndexOf('/') + 1),
        description: t.description ?? '', requirements: t.meta?.requirements ?? [],
      });
    }
    for (const child of Object.values(node.states ?? {})) visit(child, id);
  };
  visit(json, null);
  return { machineId, description: String(json.description ?? ''), root: '', states, transitions };
}

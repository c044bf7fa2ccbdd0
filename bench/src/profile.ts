/**
 * Reading V8 CPU profiles (`node --cpu-prof`): where the time went, by function, so a missed
 * target can be traced to the function that causes it.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The parts of a `.cpuprofile` file this module reads. */
export interface CpuProfile {
  /** The call tree. */
  nodes: ProfileNode[];
  /** Node id of every sample. */
  samples: number[];
  /** Microseconds before each sample. */
  timeDeltas: number[];
}

/** Time spent in one function: in its own code (`selfMs`) and with its callees (`totalMs`). */
export interface HotSpot {
  /** `name file:line`, the file relative to the repository. */
  readonly where: string;
  /** Time in the function itself. */
  readonly selfMs: number;
  /** Time in the function and everything it called (recursion counted once). */
  readonly totalMs: number;
}

function label(frame: CallFrame, repo: string): string {
  const file = frame.url.replace(/^file:\/\//, '').replace(`${repo}/`, '');
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  return file === '' ? name : `${name} ${file}:${frame.lineNumber + 1}`;
}

/** Every function with its self and total time, most self time first. */
export function hotSpots(profile: CpuProfile, repo: string): HotSpot[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, k) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[k] ?? 0)));
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const own = byId.get(id);
    if (own === undefined) continue;
    const ownLabel = label(own.callFrame, repo);
    self.set(ownLabel, (self.get(ownLabel) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (node === undefined) break;
      const key = label(node.callFrame, repo);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + us);
    }
  }
  return [...total.keys()]
    .map((where) => ({ where, selfMs: (self.get(where) ?? 0) / 1000, totalMs: (total.get(where) ?? 0) / 1000 }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

/** A short text report: the top functions by self time, then the exitkit functions by total time. */
export function formatHotSpots(title: string, spots: readonly HotSpot[], count = 12): string {
  const row = (s: HotSpot): string => `  ${s.selfMs.toFixed(0).padStart(7)} ms self ${s.totalMs.toFixed(0).padStart(7)} ms total  ${s.where}`;
  const own = spots.filter((s) => s.where.includes(' dist/')).sort((a, b) => b.totalMs - a.totalMs);
  return [
    `${title}: by self time`,
    ...spots.slice(0, count).map(row),
    `${title}: exitkit functions by total time`,
    ...own.slice(0, count).map(row),
  ].join('\n');
}

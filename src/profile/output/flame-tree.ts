// The call tree a flame graph draws: stacks merged from the root by frame, with totals.
import { frameLabel } from '../labels.js';
import type { Profile } from '../model.js';

export interface FlameNode {
  frame: number;
  total: number;
  self: number;
  children: Map<number, FlameNode>;
}

export function flameTree(p: Profile): FlameNode {
  const root: FlameNode = { frame: -1, total: 0, self: 0, children: new Map() };
  for (const [stack, count] of p.counts) {
    let node = root;
    node.total += count;
    for (const f of p.framesOf(stack)) {
      let child = node.children.get(f);
      if (!child) node.children.set(f, (child = { frame: f, total: 0, self: 0, children: new Map() }));
      child.total += count;
      node = child;
    }
    node.self += count;
  }
  return root;
}

/** Compact form for the page: [labelIndex, total, self, children], labels in a shared table. */
export type PackedNode = [number, number, number, PackedNode[]];

export function packTree(p: Profile, root: FlameNode): { labels: string[]; files: string[]; root: PackedNode } {
  const labels: string[] = ['all'];
  const files: string[] = [''];
  const ids = new Map<number, number>();
  const pack = (n: FlameNode): PackedNode => {
    let label = 0;
    if (n.frame >= 0) {
      label = ids.get(n.frame) ?? -1;
      if (label < 0) {
        label = labels.length;
        const fr = p.frames[n.frame]!;
        labels.push(frameLabel(p, fr));
        files.push(p.functions[fr.func]!.file);
        ids.set(n.frame, label);
      }
    }
    const kids = [...n.children.values()].sort((a, b) => b.total - a.total).map(pack);
    return [label, n.total, n.self, kids];
  };
  return { labels, files, root: pack(root) };
}

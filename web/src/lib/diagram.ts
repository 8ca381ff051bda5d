// diagram.ts lays out the tenant's models as boxes (one line per field) on a grid and
// their relations as arrows from a relation field to the model it links to. Plain
// numbers out, so that the SVG is a few lines of markup and the layout is tested here.

import { fieldsOf } from "./records";
import type { Model } from "./types";

export const boxWidth = 220;
export const lineHeight = 20;
export const headerHeight = 28;
const gapX = 90;
const gapY = 40;
const pad = 20;

/** One model's box. */
export interface Box {
  name: string;
  label: string;
  x: number;
  y: number;
  w: number;
  h: number;
  fields: { name: string; type: string; y: number; relation: boolean }[];
}

/** One relation: from a field's line to the linked model's box. */
export interface Edge {
  from: string;
  field: string;
  to: string;
  missing: boolean; // the linked model does not exist (the definition is broken)
  path: string;
  onDelete: string;
}

export interface Layout {
  boxes: Box[];
  edges: Edge[];
  width: number;
  height: number;
}

/** layout places models (sorted by name) left to right, top to bottom, in a near-square grid. */
export function layout(models: Model[], columns?: number): Layout {
  const sorted = [...models].sort((a, b) => a.name.localeCompare(b.name));
  const cols = Math.max(1, columns ?? Math.ceil(Math.sqrt(sorted.length)));
  const boxes: Box[] = [];
  let y = pad;
  for (let r = 0; r * cols < sorted.length; r++) {
    const row = sorted.slice(r * cols, r * cols + cols);
    let tallest = 0;
    row.forEach((m, c) => {
      const fields = fieldsOf(m);
      const h = headerHeight + Math.max(1, fields.length) * lineHeight + 8;
      tallest = Math.max(tallest, h);
      const x = pad + c * (boxWidth + gapX);
      boxes.push({
        name: m.name,
        label: m.label || m.name,
        x,
        y,
        w: boxWidth,
        h,
        fields: fields.map((f, i) => ({
          name: f.name,
          type: f.type === "relation" ? `→ ${f.related_model ?? "?"}` : f.type,
          y: y + headerHeight + i * lineHeight + lineHeight / 2 + 2,
          relation: f.type === "relation",
        })),
      });
    });
    y += tallest + gapY;
  }
  const byName = new Map(boxes.map((b) => [b.name, b]));
  const edges: Edge[] = [];
  for (const m of sorted) {
    const src = byName.get(m.name)!;
    for (const f of m.fields) {
      if (f.type !== "relation") continue;
      const line = src.fields.find((l) => l.name === f.name)!;
      const dst = f.related_model ? byName.get(f.related_model) : undefined;
      const onDelete = String(f.options?.on_delete ?? "");
      if (!dst) {
        edges.push({ from: m.name, field: f.name, to: f.related_model ?? "", missing: true, path: "", onDelete });
        continue;
      }
      edges.push({ from: m.name, field: f.name, to: dst.name, missing: false, path: route(src, line.y, dst), onDelete });
    }
  }
  const width = Math.max(pad * 2 + boxWidth, ...boxes.map((b) => b.x + b.w + pad + gapX / 2));
  return { boxes, edges, width, height: Math.max(y - gapY + pad, 100) };
}

/** route draws a curve from the field's line on src to dst's header. */
function route(src: Box, y1: number, dst: Box): string {
  const y2 = dst.y + headerHeight / 2;
  if (src === dst) {
    // a loop on the right side, back into the header
    const x = src.x + src.w;
    return `M ${x} ${y1} C ${x + 50} ${y1}, ${x + 50} ${y2}, ${x} ${y2}`;
  }
  const rightward = dst.x >= src.x + src.w;
  const leftward = dst.x + dst.w <= src.x;
  if (rightward || leftward) {
    const x1 = rightward ? src.x + src.w : src.x;
    const x2 = rightward ? dst.x : dst.x + dst.w;
    const bend = (x2 - x1) / 2;
    return `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`;
  }
  // same column: leave on the right and come back in on the right
  const x = src.x + src.w;
  const out = 45;
  return `M ${x} ${y1} C ${x + out} ${y1}, ${x + out} ${y2}, ${x} ${y2}`;
}

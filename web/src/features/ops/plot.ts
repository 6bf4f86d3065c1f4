/** Pure geometry for the dashboard's small SVG plots (no chart library). */

export type Series = { name: string; values: { x: number; y: number }[] };

export type PlotBox = { width: number; height: number; pad: number };

export type Scaled = {
  /** One SVG polyline "points" attribute per series, in the order given. */
  lines: string[];
  yMax: number;
  xMin: number;
  xMax: number;
};

/**
 * Scales every series into the box: x from the smallest to the largest x of all series, y from 0
 * to the largest y (at least `minYMax`, so a flat zero line sits at the bottom). A series with one
 * point is drawn as a short flat line so it is visible.
 */
export function scaleSeries(series: Series[], box: PlotBox, minYMax = 1): Scaled {
  const all = series.flatMap((s) => s.values);
  const xMin = all.length ? Math.min(...all.map((p) => p.x)) : 0;
  const xMax = all.length ? Math.max(...all.map((p) => p.x)) : 1;
  const yMax = Math.max(minYMax, ...all.map((p) => p.y));
  const w = box.width - 2 * box.pad;
  const h = box.height - 2 * box.pad;
  const sx = (x: number) => box.pad + (xMax === xMin ? w : ((x - xMin) / (xMax - xMin)) * w);
  const sy = (y: number) => box.pad + h - (y / yMax) * h;
  const fmt = (n: number) => (Math.round(n * 10) / 10).toString();
  const lines = series.map((s) => {
    if (s.values.length === 1) {
      const y = fmt(sy(s.values[0].y));
      return `${fmt(box.pad)},${y} ${fmt(box.pad + w)},${y}`;
    }
    return s.values.map((p) => `${fmt(sx(p.x))},${fmt(sy(p.y))}`).join(" ");
  });
  return { lines, yMax, xMin, xMax };
}

// A wellbeing chart per member and instrument (uPlot), with the same figures as a table for screen readers.
import uPlot from '../vendor/uPlot.esm.js';
import { html, useEffect, useRef } from './lib.js';
import { formatDate } from './ui.js';

const SCALES = { WHO5: [0, 100], SDQ: [0, 40], ORS: [0, 40], CORS: [0, 40] };

export function WellbeingChart({ title, instrument, points }) {
  const holder = useRef(null);
  useEffect(() => {
    if (!holder.current || points.length === 0) return undefined;
    const xs = points.map((p) => Date.parse(p.measuredOn + 'T12:00:00Z') / 1000);
    const ys = points.map((p) => p.score);
    const width = Math.max(260, Math.min(560, holder.current.clientWidth || 560));
    const plot = new uPlot(
      {
        width,
        height: 200,
        scales: { x: { time: true }, y: { range: SCALES[instrument] || [0, 100] } },
        legend: { show: false },
        cursor: { show: false },
        series: [{}, { label: instrument, stroke: '#1d4ed8', width: 2, points: { show: true, size: 7 } }],
        axes: [{ stroke: '#1f2937' }, { stroke: '#1f2937' }],
      },
      [xs, ys],
      holder.current,
    );
    return () => plot.destroy();
  }, [points, instrument]);
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <div ref=${holder} class="chart-canvas" aria-hidden="true"></div>
    <details>
      <summary>Vis målingerne som tabel</summary>
      <table>
        <thead><tr><th scope="col">Dato</th><th scope="col">${instrument}</th></tr></thead>
        <tbody>
          ${points.map((p) => html`<tr key=${p.id}><td>${formatDate(p.measuredOn)}</td><td>${p.score}${p.signalsRisk ? ' (risiko)' : ''}</td></tr>`)}
        </tbody>
      </table>
    </details>
  </figure>`;
}

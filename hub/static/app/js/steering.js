// "Styregruppe": the outcome report, suppressed cells shown as such (never a number), and the CSV/SVG downloads.
import { html, useEffect, useState } from './lib.js';
import { gql, download } from './api.js';
import { DISTRICTS, Notice, formatDateTime, useTitle, useFocusHeading } from './ui.js';

const SUPPRESSION = { SMALL: 'Skjult: for få personer', COMPLEMENTARY: 'Skjult, så et andet skjult tal ikke kan regnes ud' };
const INDICATORS = {};

function Cell({ cell }) {
  if (cell.suppression !== 'NONE') {
    return html`<td class="suppressed" data-suppression=${cell.suppression}><abbr title=${SUPPRESSION[cell.suppression]}>${cell.display}</abbr><span class="visually-hidden"> (${SUPPRESSION[cell.suppression]})</span></td>`;
  }
  return html`<td>${cell.display}</td>`;
}

export function SteeringPage() {
  useTitle('Styregruppe');
  const heading = useFocusHeading('steering');
  const [district, setDistrict] = useState('');
  const [report, setReport] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setError(null);
    gql('SteeringReport', { district: district || null }).then((d) => setReport(d.steeringReport)).catch((e) => setError(e.message));
  }, [district]);
  const get = (format) => {
    const query = district ? `?district=${district}` : '';
    download(`/reports/steering.${format}${query}`, `styregruppe.${format}`).catch((e) => setError(e.message));
  };
  return html`<main id="main">
    <h1 tabindex="-1" ref=${heading}>Styregruppe: resultater</h1>
    <div class="filters">
      <div class="field">
        <label for="report-district">Bydel</label>
        <select id="report-district" value=${district} onChange=${(e) => setDistrict(e.target.value)}>
          <option value="">Hele programmet</option>
          ${Object.entries(DISTRICTS).map(([k, v]) => html`<option key=${k} value=${k}>${v}</option>`)}
        </select>
      </div>
      <button type="button" onClick=${() => get('csv')}>Hent CSV</button>
      <button type="button" onClick=${() => get('svg')}>Hent SVG</button>
    </div>
    ${error && html`<${Notice} kind="error">${error}<//>`}
    ${report && html`<p class="muted">Dannet ${formatDateTime(report.generatedAt)}. ${report.suppressionRule}</p>
      <section aria-labelledby="capacity-heading">
        <h2 id="capacity-heading">Pladser</h2>
        <table>
          <thead><tr><th scope="col">Programår</th><th scope="col">Pladser</th><th scope="col">Aktive familier</th><th scope="col">På venteliste</th><th scope="col">Ledige</th></tr></thead>
          <tbody><tr><td>${report.capacity.programmeYear}</td><td>${report.capacity.capacity}</td><${Cell} cell=${report.capacity.activeFamilies} /><${Cell} cell=${report.capacity.waitlistedFamilies} /><td>${report.capacity.freePlaces}</td></tr></tbody>
        </table>
      </section>
      <section aria-labelledby="quarters-heading">
        <h2 id="quarters-heading">Kvartaler</h2>
        <div class="table-scroll"><table>
          <thead><tr><th scope="col">Kvartal</th><th scope="col">Optaget</th><th scope="col">Afsluttet</th><th scope="col">Overdraget</th></tr></thead>
          <tbody>${report.quarters.map((q) => html`<tr key=${q.quarter}><th scope="row">${q.quarter}</th><${Cell} cell=${q.enrolled} /><${Cell} cell=${q.closed} /><${Cell} cell=${q.handedOver} /></tr>`)}</tbody>
        </table></div>
      </section>
      <section aria-labelledby="outcomes-heading">
        <h2 id="outcomes-heading">Resultater ved optag og nu</h2>
        <div class="table-scroll"><table class="outcomes">
          <thead><tr><th scope="col">Indikator</th><th scope="col">Personer</th><th scope="col">Ved optag (%)</th><th scope="col">Nu (%)</th><th scope="col">Ændring (procentpoint)</th></tr></thead>
          <tbody>${report.outcomes.map((o) => html`<tr key=${o.indicator}><th scope="row">${INDICATORS[o.indicator] || o.indicator}</th><${Cell} cell=${o.persons} /><${Cell} cell=${o.atEnrolmentPct} /><${Cell} cell=${o.nowPct} /><${Cell} cell=${o.changePctPoints} /></tr>`)}</tbody>
        </table></div>
      </section>
      <section aria-labelledby="wellbeing-report-heading">
        <h2 id="wellbeing-report-heading">Trivsel: første og seneste måling</h2>
        <div class="table-scroll"><table>
          <thead><tr><th scope="col">Redskab</th><th scope="col">Personer</th><th scope="col">Første (gns.)</th><th scope="col">Seneste (gns.)</th><th scope="col">Ændring</th></tr></thead>
          <tbody>${report.wellbeing.map((w) => html`<tr key=${w.instrument}><th scope="row">${w.instrument}</th><${Cell} cell=${w.persons} /><${Cell} cell=${w.firstMean} /><${Cell} cell=${w.latestMean} /><${Cell} cell=${w.meanChange} /></tr>`)}</tbody>
        </table></div>
      </section>
      <section aria-labelledby="contact-points-heading">
        <h2 id="contact-points-heading">Kontaktpunkter pr. familie: ved optag og nu</h2>
        <div class="table-scroll"><table class="contact-points">
          <thead><tr><th scope="col">Familier</th><th scope="col">Ved optag (gns.)</th><th scope="col">Nu (gns.)</th><th scope="col">Ændring</th></tr></thead>
          <tbody><tr><${Cell} cell=${report.contactPoints.families} /><${Cell} cell=${report.contactPoints.atEnrolmentMean} /><${Cell} cell=${report.contactPoints.nowMean} /><${Cell} cell=${report.contactPoints.meanChange} /></tr></tbody>
        </table></div>
      </section>`}
  </main>`;
}

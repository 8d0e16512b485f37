// "Mine familier": the families the signed-in worker may see (the API lists nothing else), with search by name,
// district and status filters, and pagination by cursor.
import { html, useEffect, useState } from './lib.js';
import { gql } from './api.js';
import { DISTRICTS, FAMILY_STATUS, Notice, useTitle, useFocusHeading } from './ui.js';

const PAGE_SIZE = 10;

export function FamiliesPage() {
  useTitle('Mine familier');
  const heading = useFocusHeading('families');
  const [search, setSearch] = useState('');
  const [district, setDistrict] = useState('');
  const [status, setStatus] = useState('');
  const [cursors, setCursors] = useState([null]); // the `after` of each page seen so far
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [applied, setApplied] = useState({ search: '', district: '', status: '' });
  const page = cursors.length - 1;

  useEffect(() => {
    const filter = {};
    if (applied.search) filter.search = applied.search;
    if (applied.district) filter.district = applied.district;
    if (applied.status) filter.status = applied.status;
    setError(null);
    setResult(null);
    let current = true; // a slower answer to an earlier search must not replace this one
    gql('Families', { first: PAGE_SIZE, after: cursors[page], filter })
      .then((data) => current && setResult(data.families))
      .catch((e) => current && setError(e.message));
    return () => {
      current = false;
    };
  }, [applied, cursors]);

  const submit = (event) => {
    event.preventDefault();
    setCursors([null]);
    setApplied({ search: search.trim(), district, status });
  };

  return html`<main id="main">
    <h1 tabindex="-1" ref=${heading}>Mine familier</h1>
    <form class="filters" role="search" onSubmit=${submit}>
      <div class="field">
        <label for="family-search">Søg på navn</label>
        <input id="family-search" type="search" value=${search} onInput=${(e) => setSearch(e.target.value)} />
      </div>
      <div class="field">
        <label for="family-district">Bydel</label>
        <select id="family-district" value=${district} onChange=${(e) => setDistrict(e.target.value)}>
          <option value="">Alle bydele</option>
          ${Object.entries(DISTRICTS).map(([k, v]) => html`<option key=${k} value=${k}>${v}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="family-status">Status</label>
        <select id="family-status" value=${status} onChange=${(e) => setStatus(e.target.value)}>
          <option value="">Alle</option>
          ${Object.entries(FAMILY_STATUS).map(([k, v]) => html`<option key=${k} value=${k}>${v}</option>`)}
        </select>
      </div>
      <button type="submit" class="primary">Søg</button>
    </form>
    ${error && html`<${Notice} kind="error">${error}<//>`}
    ${!result && !error && html`<p role="status">Henter familier…</p>`}
    ${result && html`<p role="status">${result.totalCount} familier</p>
      <table class="families">
        <caption class="visually-hidden">Familier, side ${page + 1}</caption>
        <thead><tr><th scope="col">Familie</th><th scope="col">Bydel</th><th scope="col">Boligområde</th><th scope="col">Status</th><th scope="col">Medlemmer</th><th scope="col">Åbne sager</th></tr></thead>
        <tbody>
          ${result.edges.map(({ node }) => html`<tr key=${node.id}>
            <td><a href=${`/app/familier/${encodeURIComponent(node.id)}`}>${node.name}</a> <span class="muted">${node.id}</span></td>
            <td>${DISTRICTS[node.district] || node.district}</td>
            <td>${node.housingArea}</td>
            <td>${FAMILY_STATUS[node.status] || node.status}</td>
            <td>${node.summary.members}</td>
            <td>${node.summary.openCases}</td>
          </tr>`)}
        </tbody>
      </table>
      <nav class="pager" aria-label="Sider">
        <button type="button" disabled=${page === 0} onClick=${() => setCursors(cursors.slice(0, -1))}>Forrige side</button>
        <span>Side ${page + 1}</span>
        <button type="button" disabled=${!result.pageInfo.hasNextPage} onClick=${() => setCursors([...cursors, result.pageInfo.endCursor])}>Næste side</button>
      </nav>`}
  </main>`;
}

// Consents per member × department, with record and withdraw (workers), or withdraw of one's own (citizen).
import { html, useState } from './lib.js';
import { gql } from './api.js';
import { CONSENT_STATE, DEPARTMENTS, Field, Notice, describedBy, fieldName, formatDate } from './ui.js';

const CONSENT_STATUS = { ACTIVE: 'Aktivt', WITHDRAWN: 'Trukket tilbage', EXPIRED: 'Udløbet', SUPERSEDED: 'Erstattet' };
const CHANNELS = { DIGITAL: 'Digitalt', PAPER: 'På papir', VERBAL_JOURNALISED: 'Mundtligt (journaliseret)' };

function WithdrawButton({ consent, label, citizen, onDone }) {
  const [confirming, setConfirming] = useState(false);
  const [channel, setChannel] = useState(citizen ? 'DIGITAL' : 'VERBAL_JOURNALISED');
  const [error, setError] = useState(null);
  const withdraw = async () => {
    setError(null);
    try {
      await gql('WithdrawConsent', { id: consent.id, channel });
      setConfirming(false);
      onDone();
    } catch (e) {
      setError(e.message);
    }
  };
  if (!confirming) return html`<button type="button" onClick=${() => setConfirming(true)}>Træk samtykke tilbage<span class="visually-hidden"> (${label})</span></button>`;
  return html`<div class="confirm" role="group" aria-label=${`Bekræft tilbagetrækning (${label})`}>
    ${error && html`<${Notice} kind="error">${error}<//>`}
    ${!citizen && html`<div class="field">
      <label for=${`channel-${consent.id}`}>Modtaget</label>
      <select id=${`channel-${consent.id}`} value=${channel} onChange=${(e) => setChannel(e.target.value)}>
        ${Object.entries(CHANNELS).map(([k, v]) => html`<option key=${k} value=${k}>${v}</option>`)}
      </select>
    </div>`}
    <button type="button" class="danger" onClick=${withdraw}>Bekræft tilbagetrækning</button>
    <button type="button" onClick=${() => setConfirming(false)}>Fortryd</button>
  </div>`;
}

// Re-consent (e.g. at review): a new consent for the same person and scope replaces the active one.
function SupersedeButton({ consent, label, onDone }) {
  const [open, setOpen] = useState(false);
  const [channel, setChannel] = useState('PAPER');
  const [evidenceRef, setEvidenceRef] = useState('');
  const [childView, setChildView] = useState(consent.childView || '');
  const [error, setError] = useState(null);
  const id = `supersede-${consent.id}`;
  const submit = async (event) => {
    event.preventDefault();
    setError(null);
    try {
      await gql('SupersedeConsent', {
        id: consent.id,
        input: {
          subjectId: consent.subjectId,
          grantorIds: consent.grantors.map((g) => g.personId),
          departments: consent.departments,
          categories: consent.categories,
          purpose: consent.purpose,
          collectedVia: channel,
          evidenceRef,
          childView: childView || null,
        },
      });
      setOpen(false);
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  const errorFor = (name) => (error && fieldName(error.field) === name ? error.message : null);
  if (!open) return html`<button type="button" onClick=${() => setOpen(true)}>Forny samtykke<span class="visually-hidden"> (${label})</span></button>`;
  return html`<form class="confirm" onSubmit=${submit} aria-label=${`Forny samtykke (${label})`}>
    ${error && !error.field && html`<${Notice} kind="error">${error.message}<//>`}
    <div class="field">
      <label for=${id + '-channel'}>Indhentet</label>
      <select id=${id + '-channel'} value=${channel} onChange=${(e) => setChannel(e.target.value)}>
        ${Object.entries(CHANNELS).map(([k, v]) => html`<option key=${k} value=${k}>${v}</option>`)}
      </select>
    </div>
    <${Field} id=${id + '-evidence'} label="Dokumentreference" error=${errorFor('evidenceRef')}>
      <input id=${id + '-evidence'} required value=${evidenceRef} onInput=${(e) => setEvidenceRef(e.target.value)} aria-describedby=${describedBy(id + '-evidence', errorFor('evidenceRef'))} />
    <//>
    <${Field} id=${id + '-child-view'} label="Barnets egen holdning (10-14 år)" error=${errorFor('childView')}>
      <textarea id=${id + '-child-view'} rows="2" value=${childView} onInput=${(e) => setChildView(e.target.value)} aria-describedby=${describedBy(id + '-child-view', errorFor('childView'))}></textarea>
    <//>
    <button type="submit" class="primary">Gem fornyet samtykke</button>
    <button type="button" onClick=${() => setOpen(false)}>Fortryd</button>
  </form>`;
}

export function ConsentMatrix({ overview, members, citizen, onChanged }) {
  const name = (id) => (members.find((m) => m.id === id) || { firstName: id }).firstName;
  const departments = Object.keys(DEPARTMENTS);
  return html`<div>
    <div class="table-scroll">
      <table class="consents">
        <caption>Samtykker pr. familiemedlem og forvaltning</caption>
        <thead><tr><th scope="col">Medlem</th>${departments.map((d) => html`<th scope="col" key=${d}><abbr title=${DEPARTMENTS[d]}>${d}</abbr></th>`)}</tr></thead>
        <tbody>
          ${overview.members.map((m) => html`<tr key=${m.personId}>
            <th scope="row">${name(m.personId)}</th>
            ${departments.map((d) => {
              const cell = m.departments.find((x) => x.department === d);
              return html`<td key=${d} data-state=${cell ? cell.state : 'NONE'}>${cell ? CONSENT_STATE[cell.state] || cell.state : '–'}</td>`;
            })}
          </tr>`)}
        </tbody>
      </table>
    </div>
    <h4>Samtykker</h4>
    <ul class="consent-list">
      ${overview.consents.map((c) => {
        const label = `${name(c.subjectId)}: ${c.departments.join(', ')}`;
        return html`<li key=${c.id} data-consent=${c.id}>
          <strong>${label}</strong> · <span data-status=${c.status}>${CONSENT_STATUS[c.status] || c.status}</span> · gyldigt ${formatDate(c.validFrom)}–${formatDate(c.validUntil)}
          ${c.status === 'ACTIVE' && html` <${WithdrawButton} consent=${c} label=${label} citizen=${citizen} onDone=${onChanged} />`}
          ${c.status === 'ACTIVE' && !citizen && html` <${SupersedeButton} consent=${c} label=${label} onDone=${onChanged} />`}
        </li>`;
      })}
    </ul>
  </div>`;
}

export function RecordConsentForm({ members, onSaved }) {
  const adults = members.filter((m) => m.age >= 18);
  const [subjectId, setSubjectId] = useState(members.length ? members[0].id : '');
  const [grantors, setGrantors] = useState(new Set());
  const [departments, setDepartments] = useState(new Set(Object.keys(DEPARTMENTS)));
  const [health, setHealth] = useState(false);
  const [channel, setChannel] = useState('PAPER');
  const [evidenceRef, setEvidenceRef] = useState('');
  const [childView, setChildView] = useState('');
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const errorFor = (name) => (error && fieldName(error.field) === name ? error.message : null);
  const toggle = (set, setter, value) => {
    const next = new Set(set);
    if (next.has(value)) next.delete(value);
    else next.add(value);
    setter(next);
  };
  const submit = async (event) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await gql('RecordConsent', {
        input: {
          subjectId,
          grantorIds: grantors.size ? [...grantors] : [subjectId],
          departments: [...departments],
          categories: health ? ['CASE', 'HEALTH'] : ['CASE'],
          collectedVia: channel,
          evidenceRef,
          childView: childView || null,
        },
      });
      setSaved(true);
      onSaved();
    } catch (e) {
      setError(e);
    }
  };
  return html`<form class="edit-form" onSubmit=${submit} aria-labelledby="consent-heading">
    <h4 id="consent-heading">Registrér samtykke</h4>
    ${saved && html`<${Notice}>Samtykket er registreret.<//>`}
    ${error && !['evidenceRef', 'childView'].includes(fieldName(error.field)) && html`<${Notice} kind="error">${error.message}<//>`}
    <${Field} id="consent-subject" label="Hvis data">
      <select id="consent-subject" value=${subjectId} onChange=${(e) => setSubjectId(e.target.value)}>
        ${members.map((m) => html`<option key=${m.id} value=${m.id}>${m.firstName} (${m.age} år)</option>`)}
      </select>
    <//>
    <fieldset>
      <legend>Givet af (forældremyndighed under 15 år; ellers personen selv)</legend>
      ${adults.map((m) => html`<label key=${m.id} class="check"><input type="checkbox" checked=${grantors.has(m.id)} onChange=${() => toggle(grantors, setGrantors, m.id)} /> ${m.firstName}</label>`)}
    </fieldset>
    <fieldset>
      <legend>Forvaltninger</legend>
      ${Object.entries(DEPARTMENTS).map(([k, v]) => html`<label key=${k} class="check"><input type="checkbox" checked=${departments.has(k)} onChange=${() => toggle(departments, setDepartments, k)} /> ${v}</label>`)}
    </fieldset>
    <label class="check"><input type="checkbox" checked=${health} onChange=${(e) => setHealth(e.target.checked)} /> Omfatter helbredsoplysninger</label>
    <${Field} id="consent-channel" label="Indhentet">
      <select id="consent-channel" value=${channel} onChange=${(e) => setChannel(e.target.value)}>
        ${Object.entries(CHANNELS).map(([k, v]) => html`<option key=${k} value=${k}>${v}</option>`)}
      </select>
    <//>
    <${Field} id="consent-evidence" label="Journalnummer / dokumentreference" error=${errorFor('evidenceRef')}>
      <input id="consent-evidence" required value=${evidenceRef} onInput=${(e) => setEvidenceRef(e.target.value)} aria-describedby=${describedBy('consent-evidence', errorFor('evidenceRef'))} />
    <//>
    <${Field} id="consent-child-view" label="Barnets egen holdning (10-14 år)" error=${errorFor('childView')}>
      <textarea id="consent-child-view" rows="2" value=${childView} onInput=${(e) => setChildView(e.target.value)} aria-describedby=${describedBy('consent-child-view', errorFor('childView'))}></textarea>
    <//>
    <button type="submit" class="primary">Registrér samtykke</button>
  </form>`;
}

// "Mødet på storskærm" (/app/moede/:meetingId): a follow-up meeting held live, for a big screen. Large type:
// the meeting's agenda, the family's coming appointments, the minutes as they are typed, the decisions, the
// family's own words, and who holds the pen. Every screen follows meetingUpdated; only the pen holder writes
// (saved as typed, with the draft version last saved, one save at a time). Team members take, hand over or
// put down the pen, and the holder closes the meeting (its minutes are then recorded in the plan).
import { html, useEffect, useRef, useState, useCallback } from './lib.js';
import { gql, subscribe } from './api.js';
import { DEPARTMENTS, GOAL_STATUS, Notice, formatDate, formatDateTime, useTitle, useFocusHeading } from './ui.js';

const TEAM = ['COORDINATOR', 'CORE_TEAM'];
const SAVE_DELAY_MS = 300;

function merge(previous, next) {
  if (!previous) return next;
  return { ...previous, ...next, meeting: { ...previous.meeting, ...next.meeting } };
}

function refusal(result) {
  if (result.reason === 'PEN_HELD') return 'En anden har pennen. Bed om at få den givet videre.';
  if (result.reason === 'NO_PEN') return 'Ingen har pennen. Tag den for at skrive.';
  if (result.reason === 'STALE_DRAFT') return 'Udkastet er gemt af en anden i mellemtiden; det er hentet igen.';
  if (result.reason === 'MEETING_CLOSED') return 'Mødet er afsluttet.';
  return result.message;
}

function Agenda({ items }) {
  if (!items || items.length === 0) return html`<p class="muted">Ingen aftaler de næste 14 dage.</p>`;
  return html`<ul class="screen-agenda">
    ${items.map((a) => html`<li key=${a.key}>
      <time datetime=${a.start || a.day}>${a.start ? formatDateTime(a.start) : formatDate(a.day)}</time>
      ${' '}${a.title}${a.department ? html` <abbr title=${DEPARTMENTS[a.department]}>${a.department}</abbr>` : a.fromPlan ? ' (planen)' : ''}
    </li>`)}
  </ul>`;
}

function FamilyWords({ family, live }) {
  const goals = (family && family.plan && family.plan.goals) || [];
  const worded = goals.filter((g) => g.familyWording.length > 0);
  const notes = live.meeting.familyNotes || [];
  if (worded.length === 0 && notes.length === 0) return null;
  return html`<section class="screen-box" aria-labelledby="words-heading">
    <h2 id="words-heading">Familiens egne ord</h2>
    <ul>
      ${worded.map((g) => html`<li key=${g.id}><strong>${g.title}</strong> (${GOAL_STATUS[g.status] || g.status}):
        ${g.familyWording.map((w) => html` <q key=${w.id}>${w.text}</q> – ${w.member.firstName}`)}</li>`)}
      ${notes.map((n) => html`<li key=${n.id}><q>${n.text}</q> – ${n.member.firstName}</li>`)}
    </ul>
  </section>`;
}

export function MeetingScreen({ id, viewer }) {
  const [live, setLive] = useState(null);
  const [family, setFamily] = useState(null);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const [connection, setConnection] = useState('');
  const [minutes, setMinutes] = useState('');
  const [decisions, setDecisions] = useState([]);
  const [newDecision, setNewDecision] = useState('');
  const [handTo, setHandTo] = useState('');
  const [saved, setSaved] = useState('');
  const version = useRef(0);
  const holding = useRef(false);
  const pending = useRef(null);
  const saving = useRef(false);
  const timer = useRef(null);
  const team = TEAM.includes(viewer.role);
  useTitle('Mødet på storskærm');
  const heading = useFocusHeading(live ? live.meeting.id : error);

  // What the server says now; the holder's own typing is never overwritten by an echo of an older save.
  const accept = useCallback((next) => {
    version.current = Math.max(next.state === 'OPEN' ? version.current : 0, next.draftVersion);
    const mine = next.viewerHoldsPen && holding.current;
    holding.current = next.viewerHoldsPen;
    setLive((previous) => merge(previous, next));
    if (!mine) {
      setMinutes(next.minutes);
      setDecisions(next.decisions);
    }
  }, []);

  const load = useCallback(async () => {
    try {
      const data = await gql('LiveMeeting', { meetingId: id });
      version.current = 0;
      holding.current = false;
      accept(data.liveMeeting);
      setError(null);
      if (!family) {
        gql('MeetingScreenFamily', { familyId: data.liveMeeting.familyId }).then((d) => setFamily(d.family)).catch(() => setFamily(null));
      }
    } catch (e) {
      setError(e);
    }
  }, [id, family]);

  useEffect(() => {
    load();
    const stop = subscribe('MeetingUpdated', { meetingId: id }, (data) => accept(data.meetingUpdated.meeting), setConnection);
    return () => {
      clearTimeout(timer.current);
      stop();
    };
  }, [id]);

  const act = async (name, variables, field) => {
    setNotice(null);
    try {
      const data = await gql(name, variables);
      const result = data[field];
      if (result.__typename === 'LiveMeeting') {
        accept(result);
        return true;
      }
      setNotice(refusal(result));
      if (result.reason === 'STALE_DRAFT' || result.reason === 'PEN_HELD') await load();
    } catch (e) {
      setNotice(e.message);
    }
    return false;
  };

  // One save at a time, each with the version the previous one returned; what was typed meanwhile follows.
  const flush = async () => {
    clearTimeout(timer.current);
    if (saving.current || !pending.current) return;
    saving.current = true;
    const fields = pending.current;
    pending.current = null;
    setSaved('Gemmer…');
    const ok = await act('UpdateMeetingDraft', { input: { meetingId: id, expectedDraftVersion: version.current, ...fields } }, 'updateMeetingDraft');
    saving.current = false;
    setSaved(ok ? 'Gemt' : '');
    if (pending.current) await flush();
  };

  const change = (fields, now = false) => {
    pending.current = { ...(pending.current || {}), ...fields };
    clearTimeout(timer.current);
    if (now) flush();
    else timer.current = setTimeout(flush, SAVE_DELAY_MS);
  };

  if (error) {
    const notFound = error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN';
    return html`<main id="main"><h1 tabindex="-1" ref=${heading}>${notFound ? 'Mødet blev ikke fundet' : 'Mødet kunne ikke vises'}</h1>
      <${Notice} kind="error">${notFound ? 'Mødet findes ikke, eller du har ikke adgang til det.' : error.message}<//></main>`;
  }
  if (!live) return html`<main id="main"><p role="status">Indlæser mødet…</p></main>`;
  const meeting = live.meeting;
  const mine = live.viewerHoldsPen;
  const others = ((family && family.coreTeam && family.coreTeam.members) || [])
    .map((m) => m.worker)
    .filter((w, i, all) => (!live.penHolder || w.id !== live.penHolder.id) && all.findIndex((x) => x.id === w.id) === i);
  const addDecision = (event) => {
    event.preventDefault();
    const text = newDecision.trim();
    if (!text) return;
    const next = [...decisions, text];
    setDecisions(next);
    setNewDecision('');
    change({ decisions: next }, true);
  };
  const removeDecision = (index) => {
    const next = decisions.filter((_, i) => i !== index);
    setDecisions(next);
    change({ decisions: next }, true);
  };
  const close = async () => {
    await flush();
    await act('CloseLiveMeeting', { input: { meetingId: id, expectedVersion: meeting.planVersion } }, 'closeLiveMeeting');
  };

  return html`<main id="main" class="screen">
    <h1 tabindex="-1" ref=${heading}>${family ? family.name : 'Opfølgningsmøde'}: ${formatDateTime(meeting.scheduledAt)}</h1>
    <p class="screen-status" role="status" aria-live="polite" data-testid="pen">
      ${live.state === 'NOT_OPENED' && 'Mødet er ikke åbnet på storskærm endnu.'}
      ${live.state === 'OPEN' && (live.penHolder ? (mine ? 'Du har pennen.' : `${live.penHolder.displayName} har pennen.`) : 'Ingen har pennen.')}
      ${live.state === 'CLOSED' && 'Mødet er afsluttet, og referatet er gemt i handleplanen.'}
      ${connection === 'closed' && ' (forbindelsen er afbrudt; prøver igen)'}
    </p>
    ${notice && html`<${Notice} kind="warning">${notice}<//>`}
    ${team && live.state === 'NOT_OPENED' && meeting.status === 'SCHEDULED' && html`<p>
      <button type="button" class="primary" onClick=${() => act('OpenLiveMeeting', { meetingId: id }, 'openLiveMeeting')}>Åbn mødet på storskærm</button></p>`}
    ${team && live.state === 'OPEN' && html`<div class="screen-pen">
      ${!mine && html`<button type="button" class="primary" onClick=${() => act('TakeMeetingPen', { meetingId: id }, 'takeMeetingPen')}>Tag pennen</button>`}
      ${mine && html`<label for="hand-to">Giv pennen til</label>
        <select id="hand-to" value=${handTo} onChange=${(e) => setHandTo(e.target.value)}>
          <option value="">Vælg</option>
          ${others.map((w) => html`<option key=${w.id} value=${w.id}>${w.displayName}</option>`)}
        </select>
        <button type="button" disabled=${!handTo} onClick=${async () => { await flush(); await act('HandOverMeetingPen', { input: { meetingId: id, toUserId: handTo } }, 'handOverMeetingPen'); setHandTo(''); }}>Giv pennen videre</button>
        <button type="button" onClick=${async () => { await flush(); await act('ReleaseMeetingPen', { meetingId: id }, 'releaseMeetingPen'); }}>Læg pennen</button>
        <button type="button" class="primary" onClick=${close}>Afslut mødet og gem referatet</button>`}
    </div>`}

    <div class="screen-grid">
      <section class="screen-box" aria-labelledby="agenda-heading">
        <h2 id="agenda-heading">Dagsorden</h2>
        ${meeting.agenda.length > 0 ? html`<ol>${meeting.agenda.map((a, i) => html`<li key=${i}>${a}</li>`)}</ol>` : html`<p class="muted">Ingen dagsorden.</p>`}
        <h2 id="week-heading">Familiens aftaler</h2>
        <${Agenda} items=${family && family.agenda} />
      </section>

      <section class="screen-box screen-minutes" aria-labelledby="minutes-heading">
        <h2 id="minutes-heading">Referat</h2>
        ${mine && live.state === 'OPEN'
          ? html`<label for="minutes-input" class="visually-hidden">Referat</label>
            <textarea id="minutes-input" rows="10" value=${minutes}
              onInput=${(e) => { setMinutes(e.target.value); change({ minutes: e.target.value }); }}></textarea>
            <p class="muted" role="status">${saved}</p>`
          : html`<div class="screen-text" data-testid="minutes" aria-live="polite">${minutes || html`<span class="muted">Intet skrevet endnu.</span>`}</div>`}
        <h2 id="decisions-heading">Beslutninger</h2>
        <ol class="screen-decisions" data-testid="decisions">
          ${decisions.map((d, i) => html`<li key=${i}>${d}${mine && html` <button type="button" class="link" onClick=${() => removeDecision(i)}>Fjern<span class="visually-hidden"> beslutning ${i + 1}</span></button>`}</li>`)}
        </ol>
        ${mine && live.state === 'OPEN' && html`<form onSubmit=${addDecision} class="screen-add">
          <label for="decision-input">Ny beslutning</label>
          <input id="decision-input" value=${newDecision} onInput=${(e) => setNewDecision(e.target.value)} />
          <button type="submit">Tilføj beslutning</button>
        </form>`}
      </section>
    </div>
    <${FamilyWords} family=${family} live=${live} />
  </main>`;
}

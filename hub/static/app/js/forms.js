// The plan's edit flows. A mutation's typed result decides what the user sees: PlanInputError next to its field,
// PlanConflictError as "someone else changed the plan" with a reload that keeps what was typed.
import { html, useState } from './lib.js';
import { gql } from './api.js';
import { Field, Notice, GOAL_STATUS, describedBy, fieldName, formatDateTime, uid } from './ui.js';

// Runs a plan mutation and sorts its answer: {ok} | {fieldErrors, message} | {conflict}.
export async function planMutation(name, variables) {
  const data = await gql(name, variables);
  const result = Object.values(data)[0];
  switch (result.__typename) {
    case 'PlanInputError':
      return { fieldErrors: { [fieldName(result.field) || '_']: result.message }, message: result.message };
    case 'PlanConflictError':
      return { conflict: result };
    case 'PlanNotFoundError':
    case 'PlanForbiddenError':
      return { message: result.message };
    default:
      return { ok: result };
  }
}

function useForm(initial) {
  const [values, setValues] = useState(initial);
  const set = (name) => (event) => {
    const target = event.target;
    setValues({ ...values, [name]: target.type === 'checkbox' ? target.checked : target.value });
  };
  return [values, set, setValues];
}

function Conflict({ onReload, reloaded }) {
  return html`<${Notice} kind="warning">
    <p><strong>Nogen har ændret planen, mens du skrev.</strong> Din tekst er ikke gemt, men den er bevaret her.</p>
    ${reloaded
      ? html`<p>Planen er genindlæst. Se dine ændringer igennem, og gem igen.</p>`
      : html`<button type="button" onClick=${onReload}>Genindlæs planen (behold min tekst)</button>`}
  <//>`;
}

function useSubmit(run) {
  const [state, setState] = useState({ busy: false, errors: {}, message: null, conflict: null, saved: false, reloaded: false });
  const submit = async (event) => {
    event.preventDefault();
    setState({ ...state, busy: true, message: null, saved: false });
    try {
      const outcome = await run();
      if (outcome.ok) setState({ busy: false, errors: {}, message: null, conflict: null, saved: true, reloaded: false });
      else if (outcome.conflict) setState({ busy: false, errors: {}, message: null, conflict: outcome.conflict, saved: false, reloaded: false });
      else setState({ busy: false, errors: outcome.fieldErrors || {}, message: outcome.message, conflict: null, saved: false, reloaded: false });
    } catch (e) {
      setState({ busy: false, errors: {}, message: e.message, conflict: null, saved: false, reloaded: false });
    }
  };
  return [state, submit, setState];
}

export function GoalEditor({ goal, planVersion, onSaved, onReload }) {
  const [open, setOpen] = useState(false);
  const [baseVersion, setBaseVersion] = useState(planVersion);
  const [values, set] = useForm({ title: goal.title, description: goal.description, status: goal.status, targetDate: goal.targetDate || '' });
  const [state, submit, setState] = useSubmit(async () => {
    const outcome = await planMutation('UpdateGoal', {
      input: {
        goalId: goal.id,
        expectedVersion: baseVersion,
        title: values.title,
        description: values.description,
        status: values.status,
        targetDate: values.targetDate || null,
      },
    });
    if (outcome.ok) {
      setOpen(false);
      onSaved();
    }
    return outcome;
  });
  const id = `goal-${goal.id}`;
  const start = () => {
    setBaseVersion(planVersion); // the version this edit is based on: a later change by someone else is a conflict
    setOpen(true);
  };
  const reload = async () => {
    const fresh = await onReload();
    if (fresh !== undefined) setBaseVersion(fresh);
    setState({ ...state, reloaded: true });
  };
  if (!open) return html`<button type="button" onClick=${start} aria-label=${`Redigér målet ${goal.title}`}>Redigér</button>`;
  return html`<form class="edit-form" onSubmit=${submit} aria-label=${`Redigér målet ${goal.title}`}>
    ${state.conflict && html`<${Conflict} onReload=${reload} reloaded=${state.reloaded} />`}
    ${state.message && !Object.keys(state.errors).length && html`<${Notice} kind="error">${state.message}<//>`}
    <${Field} id=${id + '-title'} label="Titel" error=${state.errors.title}>
      <input id=${id + '-title'} name="title" value=${values.title} onInput=${set('title')} required aria-invalid=${Boolean(state.errors.title)} aria-describedby=${describedBy(id + '-title', state.errors.title)} />
    <//>
    <${Field} id=${id + '-description'} label="Beskrivelse" error=${state.errors.description}>
      <textarea id=${id + '-description'} name="description" rows="3" value=${values.description} onInput=${set('description')} aria-describedby=${describedBy(id + '-description', state.errors.description)}></textarea>
    <//>
    <${Field} id=${id + '-status'} label="Status" error=${state.errors.status}>
      <select id=${id + '-status'} value=${values.status} onChange=${set('status')}>
        ${Object.entries(GOAL_STATUS).map(([k, v]) => html`<option key=${k} value=${k}>${v}</option>`)}
      </select>
    <//>
    <${Field} id=${id + '-target'} label="Måldato" error=${state.errors.targetDate}>
      <input id=${id + '-target'} type="date" value=${values.targetDate} onInput=${set('targetDate')} aria-describedby=${describedBy(id + '-target', state.errors.targetDate)} />
    <//>
    <div class="actions">
      <button type="submit" class="primary" disabled=${state.busy}>Gem mål</button>
      <button type="button" onClick=${() => setOpen(false)}>Annullér</button>
    </div>
  </form>`;
}

export function NewGoalForm({ familyId, members, planVersion, onSaved, onReload }) {
  const [values, set, setValues] = useForm({ title: '', description: '', memberId: '', targetDate: '' });
  const [state, submit, setState] = useSubmit(async () => {
    const outcome = await planMutation('CreateGoal', {
      input: {
        familyId,
        expectedVersion: planVersion,
        title: values.title,
        description: values.description,
        memberId: values.memberId || null,
        targetDate: values.targetDate || null,
      },
    });
    if (outcome.ok) {
      setValues({ title: '', description: '', memberId: '', targetDate: '' });
      onSaved();
    }
    return outcome;
  });
  const reload = async () => {
    await onReload();
    setState({ ...state, reloaded: true });
  };
  return html`<form class="edit-form" onSubmit=${submit} aria-labelledby="new-goal-heading">
    <h4 id="new-goal-heading">Nyt mål</h4>
    ${state.conflict && html`<${Conflict} onReload=${reload} reloaded=${state.reloaded} />`}
    ${state.saved && html`<${Notice}>Målet er oprettet.<//>`}
    ${state.message && !Object.keys(state.errors).length && html`<${Notice} kind="error">${state.message}<//>`}
    <${Field} id="new-goal-title" label="Titel" error=${state.errors.title}>
      <input id="new-goal-title" value=${values.title} onInput=${set('title')} aria-describedby=${describedBy('new-goal-title', state.errors.title)} />
    <//>
    <${Field} id="new-goal-member" label="For hvem" error=${state.errors.memberId}>
      <select id="new-goal-member" value=${values.memberId} onChange=${set('memberId')}>
        <option value="">Hele familien</option>
        ${members.map((m) => html`<option key=${m.id} value=${m.id}>${m.firstName}</option>`)}
      </select>
    <//>
    <${Field} id="new-goal-description" label="Beskrivelse" error=${state.errors.description}>
      <textarea id="new-goal-description" rows="2" value=${values.description} onInput=${set('description')}></textarea>
    <//>
    <${Field} id="new-goal-target" label="Måldato" error=${state.errors.targetDate}>
      <input id="new-goal-target" type="date" value=${values.targetDate} onInput=${set('targetDate')} aria-describedby=${describedBy('new-goal-target', state.errors.targetDate)} />
    <//>
    <button type="submit" class="primary" disabled=${state.busy}>Opret mål</button>
  </form>`;
}

export function ProgressNoteForm({ goal, onSaved }) {
  const [text, setText] = useState('');
  const id = `note-${goal.id}`;
  const [state, submit] = useSubmit(async () => {
    const outcome = await planMutation('AddProgressNote', { input: { goalId: goal.id, text } });
    if (outcome.ok) {
      setText('');
      onSaved();
    }
    return outcome;
  });
  return html`<form class="inline-form" onSubmit=${submit}>
    <${Field} id=${id} label="Ny fremskridtsnote" error=${state.errors.text || (state.message && !state.errors.text ? state.message : null)}>
      <textarea id=${id} rows="2" value=${text} onInput=${(e) => setText(e.target.value)} aria-describedby=${describedBy(id, state.errors.text)}></textarea>
    <//>
    <button type="submit" disabled=${state.busy || !text.trim()}>Tilføj note</button>
  </form>`;
}

function toIso(local) {
  return local ? new Date(local).toISOString() : null;
}

export function ScheduleMeetingForm({ familyId, onSaved }) {
  const [values, set, setValues] = useForm({ scheduledAt: '', location: '', agenda: '' });
  const [state, submit] = useSubmit(async () => {
    const outcome = await planMutation('ScheduleMeeting', {
      input: {
        familyId,
        scheduledAt: toIso(values.scheduledAt),
        location: values.location,
        agenda: values.agenda.split('\n').map((s) => s.trim()).filter(Boolean),
      },
    });
    if (outcome.ok) {
      setValues({ scheduledAt: '', location: '', agenda: '' });
      onSaved();
    }
    return outcome;
  });
  return html`<form class="edit-form" onSubmit=${submit} aria-labelledby="schedule-heading">
    <h4 id="schedule-heading">Planlæg opfølgningsmøde</h4>
    ${state.saved && html`<${Notice}>Mødet er planlagt.<//>`}
    ${state.message && !Object.keys(state.errors).length && html`<${Notice} kind="error">${state.message}<//>`}
    <${Field} id="meeting-at" label="Tidspunkt" error=${state.errors.scheduledAt}>
      <input id="meeting-at" type="datetime-local" required value=${values.scheduledAt} onInput=${set('scheduledAt')} aria-describedby=${describedBy('meeting-at', state.errors.scheduledAt)} />
    <//>
    <${Field} id="meeting-location" label="Sted" error=${state.errors.location}>
      <input id="meeting-location" value=${values.location} onInput=${set('location')} />
    <//>
    <${Field} id="meeting-agenda" label="Dagsorden (ét punkt pr. linje)" error=${state.errors.agenda}>
      <textarea id="meeting-agenda" rows="3" value=${values.agenda} onInput=${set('agenda')}></textarea>
    <//>
    <button type="submit" class="primary" disabled=${state.busy}>Planlæg møde</button>
  </form>`;
}

// The fields the minutes form shows an error beside; an error naming any other (e.g. heldAt) is shown on top.
const MINUTES_FIELDS = ['meetingId', 'minutes', 'decisions', 'nextMeetingAt'];

// Minutes of a scheduled meeting (the earliest one without minutes by default; a past one is still open).
export function MinutesForm({ meetings, planVersion, members, onSaved, onReload }) {
  const [meetingId, setMeetingId] = useState(meetings[0].id);
  const meeting = meetings.find((m) => m.id === meetingId) || meetings[0];
  const [values, set] = useForm({ minutes: '', decisions: '', nextMeetingAt: '' });
  const [attended, setAttended] = useState(() => new Set(meeting.participants.filter((p) => p.member).map((p) => p.member.id)));
  const [baseVersion, setBaseVersion] = useState(planVersion);
  const [touched, setTouched] = useState(false);
  // The minutes are based on the plan as it was when the user started writing them.
  const begin = () => {
    if (!touched) {
      setTouched(true);
      setBaseVersion(planVersion);
    }
  };
  const [state, submit, setState] = useSubmit(() =>
    planMutation('RecordMeetingMinutes', {
      input: {
        meetingId: meeting.id,
        expectedVersion: touched ? baseVersion : planVersion,
        minutes: values.minutes,
        decisions: values.decisions.split('\n').map((s) => s.trim()).filter(Boolean),
        attended: { memberIds: [...attended], workerIds: meeting.participants.filter((p) => p.worker).map((p) => p.worker.id) },
        nextMeetingAt: toIso(values.nextMeetingAt),
      },
    }).then((outcome) => {
      if (outcome.ok) {
        setTouched(false);
        onSaved();
      }
      return outcome;
    }),
  );
  const reload = async () => {
    const fresh = await onReload();
    if (fresh !== undefined) setBaseVersion(fresh);
    setState({ ...state, reloaded: true });
  };
  const toggle = (id) => {
    const next = new Set(attended);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setAttended(next);
  };
  const choose = (event) => {
    const chosen = meetings.find((m) => m.id === event.target.value);
    setMeetingId(chosen.id);
    setAttended(new Set(chosen.participants.filter((p) => p.member).map((p) => p.member.id)));
  };
  return html`<form class="edit-form" onSubmit=${submit} onInput=${begin} aria-labelledby="minutes-heading">
    <h4 id="minutes-heading">Referat af mødet</h4>
    ${state.conflict && html`<${Conflict} onReload=${reload} reloaded=${state.reloaded} />`}
    ${state.saved && html`<${Notice}>Referatet er gemt.<//>`}
    ${state.message && !MINUTES_FIELDS.some((f) => state.errors[f]) && html`<${Notice} kind="error">${state.message}<//>`}
    <${Field} id="minutes-meeting" label="Møde" error=${state.errors.meetingId}>
      <select id="minutes-meeting" value=${meeting.id} onChange=${choose}>
        ${meetings.map((m) => html`<option key=${m.id} value=${m.id}>${formatDateTime(m.scheduledAt)}${m.location ? `, ${m.location}` : ''}</option>`)}
      </select>
    <//>
    <${Field} id="minutes-text" label="Referat" error=${state.errors.minutes}>
      <textarea id="minutes-text" rows="4" required value=${values.minutes} onInput=${set('minutes')} aria-describedby=${describedBy('minutes-text', state.errors.minutes)}></textarea>
    <//>
    <${Field} id="minutes-decisions" label="Beslutninger (én pr. linje)" error=${state.errors.decisions}>
      <textarea id="minutes-decisions" rows="3" value=${values.decisions} onInput=${set('decisions')}></textarea>
    <//>
    <fieldset>
      <legend>Deltog fra familien</legend>
      ${members.map((m) => html`<label key=${m.id} class="check"><input type="checkbox" checked=${attended.has(m.id)} onChange=${() => toggle(m.id)} /> ${m.firstName}</label>`)}
    </fieldset>
    <${Field} id="minutes-next" label="Næste møde" error=${state.errors.nextMeetingAt}>
      <input id="minutes-next" type="datetime-local" value=${values.nextMeetingAt} onInput=${set('nextMeetingAt')} aria-describedby=${describedBy('minutes-next', state.errors.nextMeetingAt)} />
    <//>
    <button type="submit" class="primary" disabled=${state.busy}>Gem referat</button>
  </form>`;
}

export function MeasurementForm({ members, onSaved }) {
  const today = new Date().toISOString().slice(0, 10);
  const [values, set, setValues] = useForm({ memberId: members.length ? members[0].id : '', instrument: 'WHO5', score: '', measuredOn: today, note: '' });
  const [state, submit] = useSubmit(async () => {
    const outcome = await planMutation('RecordMeasurement', {
      input: {
        memberId: values.memberId,
        instrument: values.instrument,
        score: Number(values.score),
        measuredOn: values.measuredOn,
        note: values.note,
        respondent: values.instrument === 'SDQ' ? 'PARENT' : null,
      },
    });
    if (outcome.ok) {
      setValues({ ...values, score: '', note: '' });
      onSaved();
    }
    return outcome;
  });
  const fid = uid('measure');
  return html`<form class="edit-form" onSubmit=${submit} aria-labelledby=${fid}>
    <h4 id=${fid}>Registrér måling</h4>
    ${state.saved && html`<${Notice}>Målingen er registreret.<//>`}
    ${state.message && !Object.keys(state.errors).length && html`<${Notice} kind="error">${state.message}<//>`}
    <${Field} id="measure-member" label="Familiemedlem" error=${state.errors.memberId}>
      <select id="measure-member" value=${values.memberId} onChange=${set('memberId')}>
        ${members.map((m) => html`<option key=${m.id} value=${m.id}>${m.firstName}</option>`)}
      </select>
    <//>
    <${Field} id="measure-instrument" label="Redskab" error=${state.errors.instrument}>
      <select id="measure-instrument" value=${values.instrument} onChange=${set('instrument')}>
        <option value="WHO5">WHO-5</option><option value="SDQ">SDQ</option><option value="ORS">ORS</option><option value="CORS">CORS</option>
      </select>
    <//>
    <${Field} id="measure-score" label="Score" error=${state.errors.score}>
      <input id="measure-score" type="number" step="0.1" required value=${values.score} onInput=${set('score')} aria-describedby=${describedBy('measure-score', state.errors.score)} />
    <//>
    <${Field} id="measure-date" label="Målt den" error=${state.errors.measuredOn}>
      <input id="measure-date" type="date" required value=${values.measuredOn} onInput=${set('measuredOn')} aria-describedby=${describedBy('measure-date', state.errors.measuredOn)} />
    <//>
    <button type="submit" class="primary" disabled=${state.busy}>Registrér</button>
  </form>`;
}

const ACTION_STATUS = { PLANNED: 'Planlagt', ACTIVE: 'I gang', COMPLETED: 'Afsluttet', CANCELLED: 'Aflyst' };

export function ActionStatusForm({ action, planVersion, onSaved, onReload }) {
  const [status, setStatus] = useState(action.status);
  const [baseVersion, setBaseVersion] = useState(planVersion);
  const id = `action-${action.id}-status`;
  const [state, submit, setState] = useSubmit(async () => {
    const outcome = await planMutation('UpdateAction', { input: { actionId: action.id, expectedVersion: baseVersion, status } });
    if (outcome.ok) onSaved();
    return outcome;
  });
  const reload = async () => {
    const fresh = await onReload();
    if (fresh !== undefined) setBaseVersion(fresh);
    setState({ ...state, reloaded: true });
  };
  return html`<form class="inline-form row" onSubmit=${submit}>
    ${state.conflict && html`<${Conflict} onReload=${reload} reloaded=${state.reloaded} />`}
    <label for=${id}>Status for ${action.kind}</label>
    <select id=${id} value=${status} onFocus=${() => setBaseVersion(planVersion)} onChange=${(e) => setStatus(e.target.value)}>
      ${Object.entries(ACTION_STATUS).map(([k, v]) => html`<option key=${k} value=${k}>${v}</option>`)}
    </select>
    <button type="submit" disabled=${state.busy || status === action.status}>Gem status</button>
    ${state.message && html`<span class="error-text" role="alert">${state.message}</span>`}
  </form>`;
}

export function NewActionForm({ goal, planVersion, onSaved, onReload }) {
  const [values, set, setValues] = useForm({ department: goal.departments[0] || 'SOF', kind: '', description: '', startsOn: '' });
  const id = `new-action-${goal.id}`;
  const [state, submit, setState] = useSubmit(async () => {
    const outcome = await planMutation('CreateAction', {
      input: {
        goalId: goal.id,
        expectedVersion: planVersion,
        department: values.department,
        kind: values.kind,
        description: values.description,
        startsOn: values.startsOn || null,
      },
    });
    if (outcome.ok) {
      setValues({ ...values, kind: '', description: '' });
      onSaved();
    }
    return outcome;
  });
  const reload = async () => {
    await onReload();
    setState({ ...state, reloaded: true });
  };
  return html`<details class="new-action">
    <summary>Ny indsats under dette mål</summary>
    <form class="edit-form" onSubmit=${submit}>
      ${state.conflict && html`<${Conflict} onReload=${reload} reloaded=${state.reloaded} />`}
      ${state.message && !Object.keys(state.errors).length && html`<${Notice} kind="error">${state.message}<//>`}
      <${Field} id=${id + '-department'} label="Forvaltning" error=${state.errors.department}>
        <select id=${id + '-department'} value=${values.department} onChange=${set('department')}>
          ${['SOF', 'BIF', 'BUF', 'KFF', 'SUF'].map((d) => html`<option key=${d} value=${d}>${d}</option>`)}
        </select>
      <//>
      <${Field} id=${id + '-kind'} label="Indsats" error=${state.errors.kind}>
        <input id=${id + '-kind'} required value=${values.kind} onInput=${set('kind')} aria-describedby=${describedBy(id + '-kind', state.errors.kind)} />
      <//>
      <${Field} id=${id + '-description'} label="Beskrivelse" error=${state.errors.description}>
        <textarea id=${id + '-description'} rows="2" value=${values.description} onInput=${set('description')}></textarea>
      <//>
      <${Field} id=${id + '-starts'} label="Starter" error=${state.errors.startsOn}>
        <input id=${id + '-starts'} type="date" value=${values.startsOn} onInput=${set('startsOn')} aria-describedby=${describedBy(id + '-starts', state.errors.startsOn)} />
      <//>
      <button type="submit" class="primary" disabled=${state.busy}>Opret indsats</button>
    </form>
  </details>`;
}

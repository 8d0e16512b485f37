// "Familien": one family's members with their five department sections (each with its status badge), the
// action plan with its edit flows, team, meetings, wellbeing charts, timeline and consents. Live: the
// familyUpdated subscription refetches the family, so a department's push shows without a reload; what a user
// is typing stays (forms keep their own state).
import { html, useEffect, useState, useCallback } from './lib.js';
import { gql, subscribe } from './api.js';
import {
  DEPARTMENTS, SECTIONS, StatusBadge, GOAL_STATUS, MEMBER_ROLE, DISTRICTS, FAMILY_STATUS, Notice,
  formatDate, formatDateTime, useTitle, useFocusHeading,
} from './ui.js';
import { ActionStatusForm, NewActionForm, GoalEditor, NewGoalForm, ProgressNoteForm, ScheduleMeetingForm, MinutesForm, MeasurementForm } from './forms.js';
import { ConsentMatrix, RecordConsentForm } from './consents.js';
import { WellbeingChart } from './chart.js';

const EDITORS = ['COORDINATOR', 'CORE_TEAM'];
const ACTION_STATUS = { PLANNED: 'Planlagt', ACTIVE: 'I gang', COMPLETED: 'Afsluttet', CANCELLED: 'Aflyst' };

function Section({ member, field, department, title }) {
  const section = member[field];
  const record = section.record;
  const contact = record && (record.caseworker || record.contact);
  return html`<section class="dept" aria-labelledby=${`${member.id}-${field}`} data-department=${department}>
    <h4 id=${`${member.id}-${field}`}>${title} <span class="muted">(${department})</span></h4>
    <${StatusBadge} status=${section.status} fetchedAt=${section.source.fetchedAt} />
    ${record
      ? html`<dl class="facts">
          <dt>Åbne sager</dt><dd>${record.openCases}</dd>
          ${contact && html`<dt>Enhed</dt><dd>${contact.unit}</dd>`}
          ${record.lastUpdated && html`<dt>Opdateret</dt><dd>${formatDate(record.lastUpdated)}</dd>`}
        </dl>`
      : html`<p class="muted">Ingen data vist.</p>`}
  </section>`;
}

function Member({ member }) {
  return html`<article class="member" aria-labelledby=${`member-${member.id}`}>
    <h3 id=${`member-${member.id}`}>${member.firstName} ${member.lastName} <span class="muted">${MEMBER_ROLE[member.role] || member.role}, ${member.age} år</span></h3>
    <div class="sections">
      ${SECTIONS.map(([field, department, title]) => html`<${Section} key=${field} member=${member} field=${field} department=${department} title=${title} />`)}
    </div>
  </article>`;
}

function TeamList({ family }) {
  const people = [];
  if (family.coordinator) people.push([family.coordinator, 'Tovholder']);
  for (const m of family.makkerpar) people.push([m, 'Makkerpar']);
  const seen = new Set(people.map(([m]) => m.assignmentId));
  for (const m of (family.coreTeam && family.coreTeam.members) || []) if (!seen.has(m.assignmentId)) people.push([m, 'Kerneteam']);
  return html`<ul class="team">
    ${people.map(([m, label]) => html`<li key=${m.assignmentId + label}><strong>${m.worker.displayName}</strong> – ${label}${m.worker.department ? `, ${m.worker.department}` : ''} ${m.worker.unit && html`<span class="muted">(${m.worker.unit})</span>`}</li>`)}
  </ul>`;
}

// DOMAIN §4: what was written while a consent was in force stays, marked once that consent is withdrawn.
function WithdrawnConsent({ marks }) {
  if (!marks || marks.length === 0) return null;
  const last = marks[marks.length - 1];
  return html`<span class="withdrawn-consent" data-withdrawn-consent=${last.consentId}>Indhentet under et samtykke, der siden er tilbagekaldt (${formatDate(last.withdrawnAt)})</span>`;
}

function Meeting({ meeting, label }) {
  if (!meeting) return html`<p>${label}: ingen.</p>`;
  return html`<div class="meeting">
    <h4>${label}: ${formatDateTime(meeting.scheduledAt)}</h4>
    ${meeting.location && html`<p>Sted: ${meeting.location}</p>`}
    ${meeting.agenda.length > 0 && html`<p>Dagsorden:</p><ul>${meeting.agenda.map((a, i) => html`<li key=${i}>${a}</li>`)}</ul>`}
    ${meeting.minutes && html`<p><strong>Referat:</strong> ${meeting.minutes} <${WithdrawnConsent} marks=${meeting.withdrawnConsents} /></p>`}
    ${meeting.decisions.length > 0 && html`<p>Beslutninger:</p><ul>${meeting.decisions.map((d, i) => html`<li key=${i}>${d}</li>`)}</ul>`}
    ${meeting.status === 'SCHEDULED' && html`<p><a href=${`/app/moede/${encodeURIComponent(meeting.id)}`}>Mødet på storskærm</a></p>`}
  </div>`;
}

function Goal({ goal, planVersion, canEdit, reload }) {
  return html`<li class="goal" data-goal=${goal.id}>
    <h4>${goal.title}</h4>
    <${WithdrawnConsent} marks=${goal.withdrawnConsents} />
    <p class="muted">${goal.member ? `Mål for ${goal.member.firstName}` : 'Familiens mål'} · ${GOAL_STATUS[goal.status] || goal.status}${goal.targetDate ? ` · måldato ${formatDate(goal.targetDate)}` : ''}</p>
    ${goal.description && html`<p>${goal.description}</p>`}
    ${goal.actions.length > 0 && html`<p>Indsatser:</p><ul class="actions-list">${goal.actions.map((a) => html`<li key=${a.id}>
      <abbr title=${DEPARTMENTS[a.department]}>${a.department}</abbr>: ${a.kind}${a.description ? ` – ${a.description}` : ''} (${ACTION_STATUS[a.status] || a.status})
      ${canEdit && html`<${ActionStatusForm} action=${a} planVersion=${planVersion} onSaved=${reload} onReload=${reload} />`}
    </li>`)}</ul>`}
    ${goal.progressNotes.length > 0 && html`<details><summary>Fremskridtsnoter (${goal.progressNotes.length})</summary>
      <ul>${goal.progressNotes.map((n) => html`<li key=${n.id}>${formatDate(n.writtenAt)}: ${n.text} <${WithdrawnConsent} marks=${n.withdrawnConsents} /></li>`)}</ul></details>`}
    ${canEdit && html`<${GoalEditor} goal=${goal} planVersion=${planVersion} onSaved=${reload} onReload=${reload} />
      <${ProgressNoteForm} goal=${goal} onSaved=${reload} />
      <${NewActionForm} goal=${goal} planVersion=${planVersion} onSaved=${reload} onReload=${reload} />`}
  </li>`;
}

function Charts({ measurements }) {
  const groups = new Map();
  for (const m of measurements) {
    const key = `${m.member.id}|${m.instrument}`;
    if (!groups.has(key)) groups.set(key, { member: m.member, instrument: m.instrument, points: [] });
    groups.get(key).points.push(m);
  }
  if (groups.size === 0) return html`<p>Ingen målinger endnu.</p>`;
  return html`<div class="charts">
    ${[...groups.entries()].map(([key, g]) => html`<${WellbeingChart} key=${key} title=${`${g.member.firstName}: ${g.instrument}`} instrument=${g.instrument}
      points=${[...g.points].sort((a, b) => a.measuredOn.localeCompare(b.measuredOn))} />`)}
  </div>`;
}

export function FamilyPage({ id, viewer }) {
  const [family, setFamily] = useState(null);
  const [consents, setConsents] = useState(null);
  const [error, setError] = useState(null);
  const [live, setLive] = useState('');
  useTitle(family ? family.name : error ? 'Ikke fundet' : 'Familien');
  const heading = useFocusHeading(family ? family.id : error);

  const reload = useCallback(async () => {
    try {
      const data = await gql('FamilyPage', { id });
      setFamily(data.family);
      setError(null);
      gql('FamilyConsents', { familyId: id }).then((d) => setConsents(d.familyConsents)).catch(() => setConsents(null));
      return data.family.plan ? data.family.plan.version : undefined;
    } catch (e) {
      setError(e);
      return undefined;
    }
  }, [id]);

  useEffect(() => {
    setFamily(null);
    reload();
    let timer = null;
    const stop = subscribe('FamilyUpdated', { familyId: id }, (data) => {
      const update = data.familyUpdated;
      setLive(update.summary || 'Familien er opdateret.');
      clearTimeout(timer);
      timer = setTimeout(reload, 300); // a burst of pushes: one refetch
    });
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [id]);

  if (error) {
    const notFound = error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN';
    return html`<main id="main">
      <h1 tabindex="-1" ref=${heading}>${notFound ? 'Familien blev ikke fundet' : 'Familien kunne ikke vises'}</h1>
      <${Notice} kind="error">${notFound ? 'Familien findes ikke, eller du har ikke adgang til den.' : error.message}<//>
      <p><a href="/app/">Til forsiden</a></p>
    </main>`;
  }
  if (!family) return html`<main id="main"><p role="status">Indlæser familien…</p></main>`;
  const plan = family.plan;
  const canEdit = EDITORS.includes(viewer.role) && plan && family.status !== 'CLOSED';
  const openMeetings = family.meetings
    .filter((m) => m.status === 'SCHEDULED')
    .sort((a, b) => a.scheduledAt.localeCompare(b.scheduledAt));
  return html`<main id="main" class="family">
    <h1 tabindex="-1" ref=${heading}>${family.name}</h1>
    <p class="muted">${family.id} · ${DISTRICTS[family.district] || family.district} · ${family.housingArea} · ${FAMILY_STATUS[family.status] || family.status}</p>
    <p>${family.summary.members} medlemmer, heraf ${family.summary.children} børn · ${family.summary.openCases} åbne sager</p>
    <div class="live" role="status" aria-live="polite" data-testid="live">${live && html`Live: ${live}`}</div>
    ${family.summary.unavailableDepartments.length > 0 && html`<${Notice} kind="warning">Kunne ikke svare lige nu: ${family.summary.unavailableDepartments.join(', ')}.<//>`}

    <nav class="toc" aria-label="På siden">
      <ul>
        <li><a href="#medlemmer">Medlemmer</a></li>
        ${plan && html`<li><a href="#plan">Handleplan</a></li>`}
        <li><a href="#team">Kerneteam</a></li>
        <li><a href="#moeder">Møder</a></li>
        ${plan && html`<li><a href="#trivsel">Trivsel</a></li>`}
        <li><a href="#tidslinje">Tidslinje</a></li>
        ${consents && html`<li><a href="#samtykker">Samtykker</a></li>`}
      </ul>
    </nav>

    <section id="medlemmer" aria-labelledby="members-heading">
      <h2 id="members-heading">Medlemmer</h2>
      ${family.members.map((m) => html`<${Member} key=${m.id} member=${m} />`)}
    </section>

    ${plan && html`<section id="plan" aria-labelledby="plan-heading">
      <h2 id="plan-heading">Familiehandleplan</h2>
      <p class="muted">Version ${plan.version}${plan.updatedAt ? ` · ændret ${formatDateTime(plan.updatedAt)}` : ''}</p>
      <ul class="goals">
        ${plan.goals.map((g) => html`<${Goal} key=${g.id} goal=${g} planVersion=${plan.version} canEdit=${canEdit} reload=${reload} />`)}
      </ul>
      ${canEdit && html`<${NewGoalForm} familyId=${family.id} members=${family.members} planVersion=${plan.version} onSaved=${reload} onReload=${reload} />`}
    </section>`}

    <section id="team" aria-labelledby="team-heading">
      <h2 id="team-heading">Kerneteam</h2>
      <${TeamList} family=${family} />
    </section>

    <section id="moeder" aria-labelledby="meetings-heading">
      <h2 id="meetings-heading">Møder</h2>
      <${Meeting} meeting=${family.nextMeeting} label="Næste møde" />
      <${Meeting} meeting=${family.latestMeeting} label="Seneste møde" />
      ${canEdit && openMeetings.length > 0 && html`<${MinutesForm} meetings=${openMeetings} planVersion=${plan.version} members=${family.members} onSaved=${reload} onReload=${reload} />`}
      ${canEdit && html`<${ScheduleMeetingForm} familyId=${family.id} onSaved=${reload} />`}
    </section>

    ${plan && html`<section id="trivsel" aria-labelledby="wellbeing-heading">
      <h2 id="wellbeing-heading">Trivsel over tid</h2>
      <${Charts} measurements=${plan.measurements} />
      ${canEdit && html`<${MeasurementForm} members=${family.members} onSaved=${reload} />`}
    </section>`}

    <section id="tidslinje" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Tidslinje</h2>
      <ol class="timeline">
        ${family.timeline.map((t, i) => html`<li key=${i}><time datetime=${t.occurredAt}>${formatDateTime(t.occurredAt)}</time> ${t.department && html`<abbr title=${DEPARTMENTS[t.department]}>${t.department}</abbr>`} ${t.summary}</li>`)}
      </ol>
    </section>

    ${consents && html`<section id="samtykker" aria-labelledby="consents-heading">
      <h2 id="consents-heading">Samtykker</h2>
      <${ConsentMatrix} overview=${consents} members=${family.members} citizen=${false} onChanged=${reload} />
      ${EDITORS.includes(viewer.role) && html`<${RecordConsentForm} members=${family.members} onSaved=${reload} />`}
    </section>`}
  </main>`;
}

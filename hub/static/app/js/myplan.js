// "Min plan" for a citizen: the family's goals and their own and their children's, the next meeting, their
// consents (withdraw digitally), and "Hvem har set mine data" (myAccessLog: administration, unit, role and
// purpose; never a staff member's name).
import { html, useEffect, useState, useCallback } from './lib.js';
import { gql, subscribe } from './api.js';
import { DEPARTMENTS, GOAL_STATUS, ROLE_LABELS, Notice, formatDate, formatDateTime, useTitle, useFocusHeading } from './ui.js';
import { ConsentMatrix } from './consents.js';

const ACTIONS = { READ: 'Læste', WRITE: 'Ændrede', EXPORT: 'Eksporterede' };

function AccessLog() {
  const [entries, setEntries] = useState([]);
  const [pageInfo, setPageInfo] = useState(null);
  const [error, setError] = useState(null);
  const load = (after) =>
    gql('MyAccessLog', { first: 20, after })
      .then((d) => {
        setEntries((old) => (after ? [...old, ...d.myAccessLog.edges.map((e) => e.node)] : d.myAccessLog.edges.map((e) => e.node)));
        setPageInfo(d.myAccessLog.pageInfo);
      })
      .catch((e) => setError(e.message));
  useEffect(() => {
    load(null);
  }, []);
  return html`<section id="adgangslog" aria-labelledby="access-heading">
    <h2 id="access-heading">Hvem har set mine data</h2>
    ${error && html`<${Notice} kind="error">${error}<//>`}
    ${entries.length === 0 && !error && html`<p>Ingen har brugt dine data endnu.</p>`}
    ${entries.length > 0 && html`<div class="table-scroll"><table class="access-log">
      <caption class="visually-hidden">Brug af dine og dine børns data, nyeste først</caption>
      <thead><tr><th scope="col">Hvornår</th><th scope="col">Forvaltning</th><th scope="col">Enhed</th><th scope="col">Rolle</th><th scope="col">Formål</th><th scope="col">Handling</th></tr></thead>
      <tbody>
        ${entries.map((e) => html`<tr key=${e.id}>
          <td>${formatDateTime(e.occurredAt)}${e.aboutChild ? ' (dit barn)' : ''}</td>
          <td>${e.administration ? DEPARTMENTS[e.administration] || e.administration : 'Familiehub'}</td>
          <td>${e.unit}</td>
          <td>${e.role ? ROLE_LABELS[e.role] || e.role : ''}</td>
          <td>${e.purpose}</td>
          <td>${ACTIONS[e.action] || e.action}</td>
        </tr>`)}
      </tbody>
    </table></div>`}
    ${pageInfo && pageInfo.hasNextPage && html`<button type="button" onClick=${() => load(pageInfo.endCursor)}>Vis flere</button>`}
  </section>`;
}

export function MyPlanPage({ viewer }) {
  useTitle('Min plan');
  const heading = useFocusHeading('myplan');
  const [familyId, setFamilyId] = useState(null);
  const [plan, setPlan] = useState(null);
  const [family, setFamily] = useState(null);
  const [consents, setConsents] = useState(null);
  const [error, setError] = useState(null);
  const reload = useCallback(async () => {
    try {
      let fid = familyId;
      if (!fid) {
        if (!viewer.personId) throw new Error('Din bruger er ikke knyttet til en familie.');
        fid = (await gql('MyFamily', { personId: viewer.personId })).familyMember.familyId;
        setFamilyId(fid);
      }
      const data = await gql('MyPlan', { familyId: fid });
      setPlan(data.familyPlan);
      setFamily(data.family);
      gql('FamilyConsents', { familyId: fid }).then((d) => setConsents(d.familyConsents)).catch(() => setConsents(null));
    } catch (e) {
      setError(e.message);
    }
  }, [familyId, viewer]);
  useEffect(() => {
    reload();
  }, []);
  useEffect(() => {
    if (!familyId) return undefined;
    let timer = null;
    const stop = subscribe('FamilyUpdated', { familyId }, () => {
      clearTimeout(timer);
      timer = setTimeout(reload, 300);
    });
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [familyId]);
  const members = family ? family.members : [];
  return html`<main id="main">
    <h1 tabindex="-1" ref=${heading}>Min plan</h1>
    ${family && html`<p class="muted">${family.name}</p>`}
    ${error && html`<${Notice} kind="error">${error}<//>`}
    ${plan && html`<section aria-labelledby="goals-heading">
      <h2 id="goals-heading">Mål</h2>
      ${plan.goals.length === 0 && html`<p>Der er ingen mål endnu.</p>`}
      <ul class="goals">
        ${plan.goals.map((g) => html`<li class="goal" key=${g.id}>
          <h3>${g.title}</h3>
          <p class="muted">${g.member ? `Mål for ${g.member.firstName}` : 'Familiens mål'} · ${GOAL_STATUS[g.status] || g.status}${g.targetDate ? ` · måldato ${formatDate(g.targetDate)}` : ''}</p>
          ${g.description && html`<p>${g.description}</p>`}
        </li>`)}
      </ul>
    </section>
    <section aria-labelledby="meeting-heading">
      <h2 id="meeting-heading">Næste møde</h2>
      ${plan.nextMeeting
        ? html`<p>${formatDateTime(plan.nextMeeting.scheduledAt)}${plan.nextMeeting.location ? `, ${plan.nextMeeting.location}` : ''}</p>
          <p><a href=${`/app/moede/${encodeURIComponent(plan.nextMeeting.id)}`}>Følg mødet på storskærm</a></p>`
        : html`<p>Der er ikke planlagt et møde.</p>`}
    </section>`}
    ${consents && html`<section aria-labelledby="my-consents-heading">
      <h2 id="my-consents-heading">Mine samtykker</h2>
      <${ConsentMatrix} overview=${consents} members=${members} citizen=${true} onChanged=${reload} />
    </section>`}
    <${AccessLog} />
  </main>`;
}

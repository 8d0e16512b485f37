// "Vores ord" for a family member: the goals in their own words (beside the team's), their own progress notes,
// scores they answer themselves (WHO-5, ORS; SDQ self-report from 11), and, for a young person from 10, their
// own view. From 15 a young person decides whether their parents may read their words (shareWithParents).
// Everything written here is marked as the family's in the plan; the team's wording is never changed.
import { html, useEffect, useState, useCallback } from './lib.js';
import { gql } from './api.js';
import { Field, Notice, describedBy, formatDate, formatDateTime, uid, useTitle, useFocusHeading } from './ui.js';
import { planMutation } from './forms.js';

const INSTRUMENTS = {
  WHO5: { label: 'WHO-5 trivselsindeks (0-100)', min: 0, max: 100, step: 4 },
  ORS: { label: 'ORS, hvordan det går (0-40)', min: 0, max: 40, step: 0.1 },
  SDQ: { label: 'SDQ, egen besvarelse (0-40)', min: 0, max: 40, step: 1, fromAge: 11 },
};

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// One text form: a textarea, an optional "my parents may read it" box (15-17), and a save button.
function WordsForm({ label, hint, submitLabel, canShare, onSave }) {
  const [id] = useState(() => uid('words'));
  const [text, setText] = useState('');
  const [shared, setShared] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const outcome = await onSave(text, shared).catch((e) => ({ message: e.message }));
    setBusy(false);
    if (outcome.ok) {
      setText('');
      setShared(false);
    } else {
      setError(outcome.conflict ? 'Planen er ændret imens. Din tekst er bevaret; prøv at gemme igen.' : outcome.message);
    }
  };
  return html`<form class="voice-form" onSubmit=${submit}>
    <${Field} id=${id} label=${label} hint=${hint} error=${error}>
      <textarea id=${id} rows="3" required value=${text} aria-describedby=${describedBy(id, error)}
        onInput=${(e) => setText(e.target.value)}></textarea>
    <//>
    ${canShare && html`<p><label class="check"><input type="checkbox" checked=${shared}
      onChange=${(e) => setShared(e.target.checked)} /> Mine forældre må læse det</label></p>`}
    <button type="submit" class="primary" disabled=${busy}>${submitLabel}</button>
  </form>`;
}

function Words({ entries, empty, canShareOwn, viewerId, onShare }) {
  if (!entries.length) return html`<p class="muted">${empty}</p>`;
  return html`<ul class="voice-words">
    ${entries.map((w) => html`<li key=${w.id}>
      <p>${w.text}</p>
      <p class="muted">${w.member.firstName} · ${formatDateTime(w.writtenAt)}${w.sharedWithParents ? ' · forældrene kan læse det' : ''}</p>
      ${canShareOwn && w.member.id === viewerId && html`<button type="button" onClick=${() => onShare(w)}>
        ${w.sharedWithParents ? 'Stop med at dele med mine forældre' : 'Del med mine forældre'}
      </button>`}
    </li>`)}
  </ul>`;
}

function SelfReportForm({ age, onSave }) {
  const [id] = useState(() => uid('score'));
  const available = Object.entries(INSTRUMENTS).filter(([, i]) => !i.fromAge || age >= i.fromAge);
  const [instrument, setInstrument] = useState(available[0][0]);
  const [score, setScore] = useState('');
  const [measuredOn, setMeasuredOn] = useState(today());
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const spec = INSTRUMENTS[instrument];
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const outcome = await onSave(instrument, Number(score), measuredOn).catch((e) => ({ message: e.message }));
    setBusy(false);
    if (outcome.ok) setScore('');
    else setError(outcome.message);
  };
  return html`<form class="voice-form" onSubmit=${submit}>
    <${Field} id=${id + '-instrument'} label="Spørgeskema">
      <select id=${id + '-instrument'} value=${instrument} onChange=${(e) => setInstrument(e.target.value)}>
        ${available.map(([key, i]) => html`<option key=${key} value=${key}>${i.label}</option>`)}
      </select>
    <//>
    <${Field} id=${id} label="Din score" error=${error}>
      <input id=${id} type="number" required min=${spec.min} max=${spec.max} step=${spec.step} value=${score}
        aria-describedby=${describedBy(id, error)} onInput=${(e) => setScore(e.target.value)} />
    <//>
    <${Field} id=${id + '-date'} label="Besvaret den">
      <input id=${id + '-date'} type="date" required value=${measuredOn} onInput=${(e) => setMeasuredOn(e.target.value)} />
    <//>
    <button type="submit" class="primary" disabled=${busy}>Gem min score</button>
  </form>`;
}

export function VoicePage({ viewer }) {
  useTitle('Vores ord');
  const heading = useFocusHeading('voice');
  const [familyId, setFamilyId] = useState(null);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);
  const reload = useCallback(async (fid = familyId) => {
    try {
      if (!fid) {
        if (!viewer.personId) throw new Error('Din bruger er ikke knyttet til en familie.');
        fid = (await gql('MyFamily', { personId: viewer.personId })).familyMember.familyId;
        setFamilyId(fid);
      }
      setData(await gql('FamilyVoicePage', { familyId: fid, memberId: viewer.personId }));
    } catch (e) {
      setError(e.message);
    }
  }, [familyId, viewer]);
  useEffect(() => {
    reload();
  }, []);
  const me = data && data.family.members.find((m) => m.id === viewer.personId);
  const age = me ? me.age : 0;
  const young = age >= 15 && age < 18;
  const plan = data && data.familyPlan;
  const after = (message) => async (outcome) => {
    if (outcome.ok) {
      setSaved(message);
      await reload();
    }
    return outcome;
  };
  const wording = (goal) => (text, shared) =>
    planMutation('VoiceWriteGoalWording', {
      input: { goalId: goal.id, wording: text, expectedVersion: plan.version, sharedWithParents: shared },
    }).then(after('Dine ord om målet er gemt.'));
  const note = (goal) => (text, shared) =>
    planMutation('VoiceAddFamilyNote', { input: { goalId: goal.id, text, sharedWithParents: shared } })
      .then(after('Din note er gemt.'));
  const childView = (text, shared) =>
    planMutation('VoiceRecordChildView', { input: { memberId: viewer.personId, view: text, sharedWithParents: shared } })
      .then(after('Din mening er gemt.'));
  const share = (entry) =>
    planMutation('VoiceShareWithParents', { entryId: entry.id, shared: !entry.sharedWithParents })
      .then(after(entry.sharedWithParents ? 'Dine forældre kan ikke længere læse det.' : 'Dine forældre kan nu læse det.'))
      .then((outcome) => outcome.ok || setError(outcome.message));
  const selfReport = (instrument, score, measuredOn) =>
    planMutation('VoiceRecordSelfReport', {
      input: { memberId: viewer.personId, instrument, score, measuredOn, respondent: instrument === 'SDQ' ? 'SELF' : null },
    }).then(after('Din score er gemt.'));
  const mine = plan ? plan.measurements.filter((m) => m.selfReported) : [];
  return html`<main id="main" class="voice">
    <h1 tabindex="-1" ref=${heading}>Vores ord</h1>
    <p>Her skriver du med dine egne ord. Det står ved siden af teamets formuleringer og er markeret som familiens.</p>
    ${error && html`<${Notice} kind="error">${error}<//>`}
    ${saved && html`<${Notice}>${saved}<//>`}
    ${plan && html`<section aria-labelledby="voice-goals-heading">
      <h2 id="voice-goals-heading">Målene med vores egne ord</h2>
      ${plan.goals.length === 0 && html`<p>Der er ingen mål endnu.</p>`}
      <ul class="goals">
        ${plan.goals.map((g) => html`<li class="goal voice-goal" key=${g.id}>
          <h3>${g.title}</h3>
          <p class="muted">Teamets formulering${g.member ? ` · mål for ${g.member.firstName}` : ' · familiens mål'}</p>
          <h4>Med familiens ord</h4>
          <${Words} entries=${g.familyWording} empty="Ingen har skrevet målet med egne ord endnu."
            canShareOwn=${young} viewerId=${viewer.personId} onShare=${share} />
          <${WordsForm} label="Målet med dine egne ord" submitLabel="Gem mine ord" canShare=${young} onSave=${wording(g)} />
          <h4>Familiens noter om, hvordan det går</h4>
          <${Words} entries=${g.familyNotes} empty="Ingen noter endnu."
            canShareOwn=${young} viewerId=${viewer.personId} onShare=${share} />
          <${WordsForm} label="Din note om, hvordan det går" submitLabel="Gem min note" canShare=${young} onSave=${note(g)} />
        </li>`)}
      </ul>
    </section>
    <section aria-labelledby="voice-scores-heading">
      <h2 id="voice-scores-heading">Mine egne scorer</h2>
      ${mine.length === 0 && html`<p class="muted">Du har ikke svaret på et spørgeskema selv endnu.</p>`}
      ${mine.length > 0 && html`<ul class="voice-scores">
        ${mine.map((m) => html`<li key=${m.id}>${m.instrument}: ${m.score} (${formatDate(m.measuredOn)}, selvrapporteret)</li>`)}
      </ul>`}
      <${SelfReportForm} age=${age} onSave=${selfReport} />
    </section>
    ${age >= 10 && age < 18 && html`<section aria-labelledby="voice-child-heading">
      <h2 id="voice-child-heading">Min mening</h2>
      <p>Skriv, hvad du selv synes om jeres plan og møderne.${young ? ' Du bestemmer selv, om dine forældre må læse det.' : ''}</p>
      <${Words} entries=${plan.childViews.filter((v) => v.member.id === viewer.personId)} empty="Du har ikke skrevet din mening endnu."
        canShareOwn=${young} viewerId=${viewer.personId} onShare=${share} />
      <${WordsForm} label="Min mening" submitLabel="Gem min mening" canShare=${young} onSave=${childView} />
    </section>`}`}
  </main>`;
}

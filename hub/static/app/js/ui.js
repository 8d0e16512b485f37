// Small shared pieces: labels in Danish, status badges, form fields with their errors, dates.
import { html, useEffect, useRef } from './lib.js';

export const DEPARTMENTS = {
  SOF: 'Socialforvaltningen',
  BIF: 'Beskæftigelses- og Integrationsforvaltningen',
  BUF: 'Børne- og Ungdomsforvaltningen',
  KFF: 'Kultur- og Fritidsforvaltningen',
  SUF: 'Sundheds- og Omsorgsforvaltningen',
};

export const SECTIONS = [
  ['social', 'SOF', 'Socialt'],
  ['employment', 'BIF', 'Beskæftigelse'],
  ['childAndYouth', 'BUF', 'Børn og unge'],
  ['leisure', 'KFF', 'Fritid'],
  ['health', 'SUF', 'Sundhed'],
];

const STATUS_LABELS = {
  OK: 'OK',
  STALE: 'Forældet',
  UNAVAILABLE: 'Utilgængelig',
  BAD_RESPONSE: 'Fejl i svar',
  CONSENT_REQUIRED: 'Kræver samtykke',
  FORBIDDEN: 'Ingen adgang',
  NOT_REGISTERED: 'Ikke registreret',
};

export const GOAL_STATUS = { PLANNED: 'Planlagt', IN_PROGRESS: 'I gang', ACHIEVED: 'Nået', DROPPED: 'Opgivet' };
export const FAMILY_STATUS = { REFERRED: 'Henvist', WAITLISTED: 'På venteliste', ACTIVE: 'Aktiv', CLOSED: 'Afsluttet' };
export const DISTRICTS = { NORREBRO: 'Nørrebro', BISPEBJERG: 'Bispebjerg' };
export const CONSENT_STATE = {
  ACTIVE: 'Samtykke givet',
  STATUTORY: 'Lovhjemmel',
  WITHDRAWN: 'Trukket tilbage',
  EXPIRED: 'Udløbet',
  NONE: 'Intet samtykke',
};
export const ROLE_LABELS = {
  COORDINATOR: 'Tovholder',
  CORE_TEAM: 'Kerneteam',
  CASEWORKER: 'Sagsbehandler',
  CITIZEN: 'Borger',
  STEERING_GROUP: 'Styregruppe',
  DEPARTMENT_SYSTEM: 'Fagsystem',
  ADMIN: 'Administrator',
};
export const MEMBER_ROLE = { PARENT: 'Forælder', CHILD: 'Barn', OTHER_ADULT: 'Anden voksen' };

export function age(iso, now = Date.now()) {
  if (!iso) return '';
  const minutes = Math.max(0, Math.round((now - Date.parse(iso)) / 60000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} t`;
  return `${Math.round(hours / 24)} dage`;
}

export function StatusBadge({ status, fetchedAt }) {
  const label = STATUS_LABELS[status] || status;
  const text = status === 'STALE' && fetchedAt ? `${label} (${age(fetchedAt)} gammel)` : label;
  return html`<span class=${`badge badge-${status.toLowerCase().replace('_', '-')}`} data-status=${status}>${text}</span>`;
}

export function formatDate(iso) {
  if (!iso) return '';
  const d = new Date(iso.length === 10 ? iso + 'T12:00:00' : iso);
  return d.toLocaleDateString('da-DK', { year: 'numeric', month: 'short', day: 'numeric' });
}

export function formatDateTime(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString('da-DK', { dateStyle: 'medium', timeStyle: 'short' });
}

let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

// A labelled control; `error` (from PlanInputError.field) is shown next to it and announced.
export function Field({ id, label, error, children, hint }) {
  return html`<div class=${error ? 'field field-error' : 'field'}>
    <label for=${id}>${label}</label>
    ${hint && html`<small id=${id + '-hint'}>${hint}</small>`}
    ${children}
    ${error && html`<p class="error-text" id=${id + '-error'} role="alert">${error}</p>`}
  </div>`;
}

export function describedBy(id, error) {
  return error ? `${id}-error` : undefined;
}

export function Notice({ kind = 'info', children }) {
  return html`<div class=${`notice notice-${kind}`} role=${kind === 'error' ? 'alert' : 'status'}>${children}</div>`;
}

export function useTitle(title) {
  useEffect(() => {
    document.title = title ? `${title} · Familiehub` : 'Familiehub';
  }, [title]);
}

// Moves focus to the page's heading after navigation, so screen-reader and keyboard users start there.
export function useFocusHeading(dep) {
  const ref = useRef(null);
  useEffect(() => {
    if (ref.current) ref.current.focus();
  }, [dep]);
  return ref;
}

// Maps a PlanInputError.field ("input.title", "title", "scheduledAt") to the form's field name.
export function fieldName(field) {
  if (!field) return null;
  const last = field.split('.').pop();
  return last;
}

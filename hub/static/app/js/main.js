// The shell: sign-in, navigation and a small path router (/app/familier, /app/familier/:id, /app/min-plan,
// /app/vores-ord, /app/styregruppe, /app/moede/:meetingId). Links are ordinary <a href> elements; clicks on them are routed without a reload.
import { html, render, useEffect, useState } from './lib.js';
import { session, signOut, devUsers, devSignIn, loadConfig, oidcSignIn, oidcCallback, rememberViewer } from './auth.js';
import { gql } from './api.js';
import { Notice, ROLE_LABELS, useTitle, useFocusHeading } from './ui.js';
import { FamiliesPage } from './families.js';
import { FamilyPage } from './family.js';
import { MyPlanPage } from './myplan.js';
import { VoicePage } from './voice.js';
import { SteeringPage } from './steering.js';
import { MeetingScreen } from './meeting.js';

const WORKERS = ['COORDINATOR', 'CORE_TEAM', 'CASEWORKER'];

export function navigate(path) {
  history.pushState(null, '', path);
  window.dispatchEvent(new Event('app:navigate'));
}

function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener('app:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('app:navigate', update);
    };
  }, []);
  return path;
}

document.addEventListener('click', (event) => {
  const a = event.target.closest && event.target.closest('a[href^="/app/"]');
  if (!a || a.hasAttribute('download') || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(a.getAttribute('href'));
});

function homeFor(role) {
  if (role === 'CITIZEN') return '/app/min-plan';
  if (role === 'STEERING_GROUP') return '/app/styregruppe';
  return '/app/familier';
}

function SignIn({ onSignedIn }) {
  useTitle('Log ind');
  const heading = useFocusHeading('signin');
  const [config, setConfig] = useState(null);
  const [users, setUsers] = useState([]);
  const [choice, setChoice] = useState('');
  const [error, setError] = useState(null);
  useEffect(() => {
    loadConfig().then(async (cfg) => {
      setConfig(cfg);
      if (cfg.signIn === 'development') {
        const list = await devUsers();
        setUsers(list);
        setChoice(list.length ? list[0].username : '');
      }
    }).catch(() => setError('Kunne ikke hente log ind-oplysninger.'));
  }, []);
  const submit = async (event) => {
    event.preventDefault();
    setError(null);
    try {
      if (config.signIn === 'development') {
        await devSignIn(choice);
        onSignedIn();
      } else {
        await oidcSignIn();
      }
    } catch (e) {
      setError(e.message);
    }
  };
  return html`<main id="main" class="signin">
    <h1 tabindex="-1" ref=${heading}>Log ind i Familiehub</h1>
    ${error && html`<${Notice} kind="error">${error}<//>`}
    ${config && config.signIn === 'development' && html`<form onSubmit=${submit}>
      <p>Udviklingsmiljø: vælg en demobruger. (I produktion logger man ind via kommunens log ind-tjeneste.)</p>
      <div class="field">
        <label for="demo-user">Demobruger</label>
        <select id="demo-user" value=${choice} onChange=${(e) => setChoice(e.target.value)}>
          ${users.map((u) => html`<option key=${u.username} value=${u.username}>${u.username} (${ROLE_LABELS[u.role] || u.role}${u.department ? ', ' + u.department : ''})</option>`)}
        </select>
      </div>
      <button type="submit" class="primary">Log ind</button>
    </form>`}
    ${config && config.signIn === 'oidc' && !config.issuer && html`<${Notice} kind="error">
      Log ind er ikke sat op. Sæt <code>HUB_OIDC_ISSUER</code>, <code>HUB_OIDC_JWKS_URL</code> og
      <code>HUB_OIDC_AUDIENCE</code> (klient-id) for hubben, og registrér <code>${location.origin}/app/callback</code>
      som redirect-URI hos identitetsudbyderen (authorization code + PKCE, offentlig klient).
    <//>`}
    ${config && config.signIn === 'oidc' && config.issuer && html`<form onSubmit=${submit}>
      <button type="submit" class="primary">Log ind via ${new URL(config.issuer).host}</button>
    </form>`}
  </main>`;
}

function Callback({ onSignedIn }) {
  const [error, setError] = useState(null);
  useEffect(() => {
    oidcCallback(new URLSearchParams(location.search)).then(onSignedIn).catch((e) => setError(e.message));
  }, []);
  return html`<main id="main"><h1>Logger ind…</h1>${error && html`<${Notice} kind="error">${error}<//>`}</main>`;
}

function Header({ viewer, onSignOut }) {
  const role = viewer && viewer.role;
  return html`<header class="topbar">
    <a class="brand" href=${homeFor(role)}>Familiehub</a>
    <nav aria-label="Hovedmenu">
      <ul>
        ${WORKERS.includes(role) && html`<li><a href="/app/familier">Mine familier</a></li>`}
        ${role === 'CITIZEN' && html`<li><a href="/app/min-plan">Min plan</a></li>`}
        ${role === 'CITIZEN' && html`<li><a href="/app/vores-ord">Vores ord</a></li>`}
        ${(role === 'STEERING_GROUP' || role === 'COORDINATOR') && html`<li><a href="/app/styregruppe">Styregruppe</a></li>`}
      </ul>
    </nav>
    <div class="who">
      <span>${viewer ? `${viewer.username} · ${ROLE_LABELS[viewer.role] || viewer.role}` : ''}</span>
      <button type="button" onClick=${onSignOut}>Log ud</button>
    </div>
  </header>`;
}

function NotFound() {
  useTitle('Ikke fundet');
  return html`<main id="main"><h1>Siden blev ikke fundet</h1><p><a href="/app/">Til forsiden</a></p></main>`;
}

function App() {
  const path = usePath();
  const [signedIn, setSignedIn] = useState(Boolean(session()));
  const [viewer, setViewer] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!signedIn) return;
    gql('Me').then((data) => {
      rememberViewer(data.me);
      setViewer(data.me);
    }).catch((e) => {
      if (e.code === 'UNAUTHENTICATED') {
        signOut();
        setSignedIn(false);
      } else {
        setError(e.message);
      }
    });
  }, [signedIn]);
  const onSignedIn = () => {
    setSignedIn(true);
    navigate(location.pathname.startsWith('/app/log-ind') || location.pathname.startsWith('/app/callback') ? '/app/' : location.pathname);
  };
  const onSignOut = () => {
    signOut();
    setViewer(null);
    setSignedIn(false);
    navigate('/app/log-ind');
  };
  if (path.startsWith('/app/callback')) return html`<${Callback} onSignedIn=${onSignedIn} />`;
  if (!signedIn) return html`<${SignIn} onSignedIn=${onSignedIn} />`;
  if (error) return html`<main id="main"><h1>Fejl</h1><${Notice} kind="error">${error}<//></main>`;
  if (!viewer) return html`<main id="main"><p role="status">Indlæser…</p></main>`;
  let page;
  const family = path.match(/^\/app\/familier\/([^/]+)\/?$/);
  const meeting = path.match(/^\/app\/moede\/([^/]+)\/?$/);
  if (path === '/app/' || path === '/app' || path.startsWith('/app/log-ind')) {
    page = html`<${Redirect} to=${homeFor(viewer.role)} />`;
  } else if (path === '/app/familier' || path === '/app/familier/') {
    page = html`<${FamiliesPage} />`;
  } else if (family) {
    page = html`<${FamilyPage} id=${decodeURIComponent(family[1])} viewer=${viewer} />`;
  } else if (meeting) {
    page = html`<${MeetingScreen} id=${decodeURIComponent(meeting[1])} viewer=${viewer} />`;
  } else if (path === '/app/min-plan') {
    page = html`<${MyPlanPage} viewer=${viewer} />`;
  } else if (path === '/app/vores-ord') {
    page = html`<${VoicePage} viewer=${viewer} />`;
  } else if (path === '/app/styregruppe') {
    page = html`<${SteeringPage} />`;
  } else {
    page = html`<${NotFound} />`;
  }
  return html`<${Header} viewer=${viewer} onSignOut=${onSignOut} />${page}`;
}

function Redirect({ to }) {
  useEffect(() => {
    history.replaceState(null, '', to);
    window.dispatchEvent(new Event('app:navigate'));
  }, [to]);
  return null;
}

const root = document.getElementById('root');
root.textContent = '';
render(html`<${App} />`, root);

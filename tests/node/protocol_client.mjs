// A second client of the room, written from docs/protocol.md alone (not from the browser code):
// two phones join by the join form, the facilitator signs in by the one-time link, and the room
// runs: open a poll, vote, edit a workspace field, reveal the storyboards, place a dot, reveal
// results. Prints one JSON line of what it saw; exits 1 at the first thing that is not as the
// document says.
//
//   node protocol_client.mjs BASE_URL SIGN_IN_LINK JOIN_URL
import { io } from "socket.io-client";

const [base, signIn, joinUrl] = process.argv.slice(2);
const code = joinUrl.split("/j/")[1];
const seen = {};

function fail(what) {
  console.error(`protocol client: ${what}`);
  process.exit(1);
}
function expect(condition, what) { if (!condition) fail(what); }

// -- HTTP, with the cookies a browser would keep ---------------------------------------------
function cookiesOf(response) {
  return response.headers.getSetCookie().map((c) => c.split(";")[0]);
}

async function facultyCookie() {
  // "GET /login/<token>: one-time sign-in link" -> 303 and the session cookie.
  const reply = await fetch(signIn, { redirect: "manual" });
  expect(reply.status === 303, `the sign-in link answered ${reply.status}`);
  const session = cookiesOf(reply).find((c) => c.startsWith("session="));
  expect(session, "the sign-in link set no session cookie");
  return session;
}

async function join(teamName, name) {
  // "GET /j/<code>: the join page"; "POST /j/<code>: form team (new with new_team), name, role,
  // csrf -> sets the rejoin cookie bsc_<code> and 303 to /room/<code>".
  const page = await fetch(joinUrl);
  const html = await page.text();
  const csrf = html.match(/name="csrf" value="([^"]+)"/);
  expect(csrf, "the join page has no csrf field");
  const jar = cookiesOf(page).join("; ");
  const form = new URLSearchParams({ team: "new", new_team: teamName, name, role: "Data lead", csrf: csrf[1] });
  const reply = await fetch(joinUrl, { method: "POST", body: form, redirect: "manual", headers: { Cookie: jar } });
  expect(reply.status === 303, `joining answered ${reply.status}`);
  const rejoin = cookiesOf(reply).find((c) => c.startsWith(`bsc_${code}=`));
  expect(rejoin, "joining set no rejoin cookie");
  // "auth.token is the value of the bsc_<code> cookie"
  return rejoin.split("=")[1];
}

// -- Socket.IO ----------------------------------------------------------------------------------
function connect(auth, cookie) {
  // "io({auth: {kind, code}})"; phones by auth.token, staff by the faculty session cookie.
  return new Promise((resolve) => {
    const socket = io(base, { auth, transports: ["websocket"], extraHeaders: cookie ? { Cookie: cookie } : {} });
    socket.once("state", (state) => resolve({ socket, state }));  // "on every connect the server sends state"
    socket.once("connect_error", (err) => fail(`${auth.kind} could not connect: ${err.message}`));
  });
}

function next(socket, event, test = () => true, timeout = 5000) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => fail(`no ${event} within ${timeout} ms`), timeout);
    const listener = (message) => {
      if (!test(message)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(message);
    };
    socket.on(event, listener);
  });
}

let ids = 0;
const clientId = () => `node-client-${Date.now()}-${(ids += 1)}`;  // "8-64 of A-Za-z0-9_-"

async function ask(socket, event, payload) {
  const reply = await socket.timeout(5000).emitWithAck(event, payload);
  expect(typeof reply === "object" && reply !== null && "ok" in reply, `${event} was not acknowledged`);
  return reply;
}

// -- the room -----------------------------------------------------------------------------------
const ana = await join("Node Riverside", "Ana");
const ben = await join("Node Hilltop", "Ben");
const faculty = await facultyCookie();
const consoleLink = await connect({ kind: "console", code }, faculty);
const anaLink = await connect({ kind: "participant", code, token: ana });
const benLink = await connect({ kind: "participant", code, token: ben });
expect(anaLink.state.me.name === "Ana", "the phone's state has no me.name");
expect(typeof anaLink.state.session.locked === "boolean", "room.session.locked is missing");

const poll = consoleLink.state.activities.find((a) => a.kind === "poll");
expect(poll, "the console's state lists no poll");
expect(Array.isArray(poll.spec.options), "a choice poll's spec has no options");
let reply = await ask(consoleLink.socket, "open_activity", { activity_id: poll.id });
expect(reply.ok, `open_activity: ${reply.error}`);

reply = await ask(anaLink.socket, "cast_vote", { client_id: clientId(), activity_id: poll.id, value: 1 });
expect(reply.ok && reply.value === 1, `cast_vote: ${JSON.stringify(reply)}`);
const again = await ask(anaLink.socket, "cast_vote", { client_id: "node-client-refused-vote", activity_id: poll.id, value: 99 });
expect(!again.ok && typeof again.error === "string" && again.code === "bad_value", "a bad vote was not refused with bad_value");
seen.vote = reply;

reply = await ask(anaLink.socket, "edit_field", { client_id: clientId(), item_id: null, name: "aim_what",
  value: "Screen every child", base_version: 0 });
expect(reply.ok && reply.version === 1 && reply.by === "Ana", `edit_field: ${JSON.stringify(reply)}`);
seen.edit = reply;

const revealed = next(benLink.socket, "room", (m) => m.session.storyboards_revealed === true);
reply = await ask(consoleLink.socket, "reveal_storyboards", { visible: true });
expect(reply.ok, `reveal_storyboards: ${reply.error}`);
await revealed;
const anaTeam = anaLink.state.me.team.id;
const dots = next(benLink.socket, "dots", (m) => m[String(anaTeam)] === 1);
reply = await ask(benLink.socket, "place_dot", { client_id: clientId(), team_id: anaTeam });
expect(reply.ok && reply.left === 2, `place_dot: ${JSON.stringify(reply)}`);
seen.dots = await dots;

const results = next(anaLink.socket, "room", (m) => m.results && m.results.count === 1);
reply = await ask(consoleLink.socket, "show_results", { activity_id: poll.id, visible: true });
expect(reply.ok, `show_results: ${reply.error}`);
const shown = await results;
expect(shown.results.bars[1].count === 1, "the revealed results do not count the vote");
seen.results = shown.results;

const unknown = await ask(anaLink.socket, "no_such_event", {});
expect(unknown.code === "unknown_event", "an unknown event was not answered with unknown_event");

const timer = next(anaLink.socket, "room", (m) => m.timer && m.timer.running);
await ask(consoleLink.socket, "start_timer", { seconds: 90 });
const { timer: running } = await timer;
expect(/([+-]\d\d:\d\d|Z)$/.test(running.ends_at), `timer.ends_at has no zone: ${running.ends_at}`);
reply = await ask(consoleLink.socket, "pause_timer", {});
expect(reply.ok, "pause_timer was not answered ok");

for (const link of [consoleLink, anaLink, benLink]) link.socket.disconnect();
console.log(JSON.stringify(seen));
process.exit(0);

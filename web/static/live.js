// The live feed: a WebSocket to /api/live that reconnects by itself (with
// backoff) and tells the page, which resyncs from the new snapshot.
export function connectLive({ onMessage, onState }) {
  let ws = null;
  let delay = 500;
  let everConnected = false;
  let stopped = false;

  function open() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(`${proto}//${location.host}/api/live`);
    ws.onopen = () => {
      delay = 500;
      onState(everConnected ? "resynced" : "live");
      everConnected = true;
    };
    ws.onmessage = (ev) => onMessage(JSON.parse(ev.data));
    ws.onclose = (ev) => {
      if (stopped) return;
      onState("down", ev.reason);
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 5000);
    };
  }
  open();
  return {
    // cut drops the connection as a network fault would (tests use it).
    cut() { ws?.close(); },
    stop() { stopped = true; ws?.close(); },
  };
}

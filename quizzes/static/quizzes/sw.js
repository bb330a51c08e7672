/*
 * The attempt page's service worker: a reload while the network or the server is
 * down shows the question again, from the copy this browser kept, instead of the
 * browser's error page. attempt.js then lays the answers queued in storage over it.
 *
 * Served at /attempts/sw.js (quizzes.views.service_worker), so its scope is
 * /attempts/ and it only ever sees navigations to attempt pages.
 *
 * - Network first, for GET navigations only: a good response the server marked
 *   `X-Offline-Page: attempt` (the page of an attempt in progress, nothing else:
 *   never a result or a review) is copied into one cache. When the fetch fails or
 *   the server answers 502/503/504, the copy of that URL is served, or else the
 *   newest copy of any question of the same attempt.
 * - Everything else (API saves included: the page's own queue retries those)
 *   passes through untouched.
 * - The copy is marked (data-page-source="offline-copy") when it is stored, so the
 *   page can say it came from this browser.
 * - Privacy: the copies of an attempt are deleted when its result page opens
 *   (offline.js), and every copy at log-in and log-out: a shared computer in an
 *   exam hall must not keep a trainee's pages.
 */
"use strict";

var CACHE = "quizzes-offline-v1";
var ATTEMPT_PAGE = /^\/attempts\/(\d+)\/$/;
var UNAVAILABLE = [502, 503, 504];

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  // Control the page that registered the worker at once: its next reload counts.
  event.waitUntil(self.clients.claim());
});

function attemptOf(url) {
  var match = ATTEMPT_PAGE.exec(new URL(url).pathname);
  return match ? match[1] : null;
}

// A copy is filed under its question's own address (/attempts/7/?q=3), the one
// the page puts in the address bar, whatever the request was (/attempts/7/ picks
// a question on the server).
function pageKey(url, html) {
  var key = new URL(url);
  var position = /data-position="(\d+)"/.exec(html);
  key.search = position ? "?q=" + position[1] : key.search;
  key.hash = "";
  return key.href;
}

// Keep a copy of a page the server allows offline, marked as the offline copy.
function keep(request, response) {
  if (
    !response.ok ||
    response.redirected ||
    response.headers.get("X-Offline-Page") !== "attempt" ||
    attemptOf(response.url || request.url) === null
  ) {
    return Promise.resolve();
  }
  return response.text().then(function (html) {
    var marked = html.replace(
      'data-page-source="network"',
      'data-page-source="offline-copy"'
    );
    // The server's headers are kept (the copy runs under the same CSP), but not
    // the length or encoding of a body that was decoded and changed.
    var headers = new Headers(response.headers);
    headers.delete("Content-Length");
    headers.delete("Content-Encoding");
    var copy = new Response(marked, { status: 200, headers: headers });
    var key = pageKey(response.url || request.url, html);
    return caches.open(CACHE).then(function (cache) {
      // Deleted first, so that the newest copy is the last of cache.keys().
      return cache.delete(key).then(function () {
        return cache.put(key, copy);
      });
    });
  });
}

// The copy of this URL, or else the newest copy of the same attempt.
function copyFor(url) {
  var attempt = attemptOf(url);
  return caches.open(CACHE).then(function (cache) {
    return cache.match(url, { ignoreVary: true }).then(function (hit) {
      if (hit) {
        return hit;
      }
      return cache.keys().then(function (requests) {
        var same = requests.filter(function (request) {
          return attemptOf(request.url) === attempt;
        });
        return same.length ? cache.match(same[same.length - 1]) : undefined;
      });
    });
  });
}

function networkFirst(event) {
  var request = event.request;
  return fetch(request).then(
    function (response) {
      if (UNAVAILABLE.indexOf(response.status) !== -1) {
        return copyFor(request.url).then(function (copy) {
          return copy || response;
        });
      }
      event.waitUntil(keep(request, response.clone()));
      return response;
    },
    function (error) {
      return copyFor(request.url).then(function (copy) {
        if (copy) {
          return copy;
        }
        throw error; // no copy: the browser's own error page
      });
    }
  );
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (
    request.mode !== "navigate" ||
    request.method !== "GET" ||
    attemptOf(request.url) === null
  ) {
    return; // not ours: the browser fetches it as if there were no worker
  }
  event.respondWith(networkFirst(event));
});

// attempt.js asks for the page it was loaded with when no worker controlled it
// yet (the first page of an attempt), so that this page too has a copy.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep-page" || attemptOf(data.url) === null) {
    return;
  }
  var request = new Request(data.url, { credentials: "same-origin" });
  event.waitUntil(
    fetch(request)
      .then(function (response) {
        return keep(request, response);
      })
      .catch(function () {})
  );
});

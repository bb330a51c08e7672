/*
 * Forgets the attempt pages that sw.js kept for offline use, so that a shared
 * computer in an exam hall does not keep a trainee's pages.
 *
 * The page says what to forget in <meta name="quizzes-offline-forget">: "all" on
 * the log-in page (where log-out lands too: caches are origin-wide, and the next
 * person sits here), or an attempt's id on its result page, once the attempt is
 * closed and its copies can no longer help. The last saved states and the
 * deadline attempt.js kept for those copies go with them; queued changes not yet
 * sent stay (they are answers, and leave the queue once the server has them).
 */
(function () {
  "use strict";

  var CACHE = "quizzes-offline-v1";
  var meta = document.querySelector('meta[name="quizzes-offline-forget"]');
  if (!meta) {
    return;
  }
  var which = meta.content;
  var pattern =
    which === "all"
      ? /^quizzes\.attempt\.\d+\.(s\.\d+|ends)$/
      : new RegExp("^quizzes\\.attempt\\." + which + "\\.(s\\.\\d+|ends)$");

  try {
    Object.keys(window.localStorage).forEach(function (key) {
      if (pattern.test(key)) {
        window.localStorage.removeItem(key);
      }
    });
  } catch (error) {
    // No storage: nothing was kept in it.
  }

  if (!window.caches) {
    return;
  }
  if (which === "all") {
    window.caches.delete(CACHE).catch(function () {});
    return;
  }
  var path = "/attempts/" + which + "/";
  window.caches
    .has(CACHE)
    .then(function (exists) {
      return exists ? window.caches.open(CACHE) : null;
    })
    .then(function (cache) {
      if (!cache) {
        return null;
      }
      return cache.keys().then(function (requests) {
        return Promise.all(
          requests
            .filter(function (request) {
              return new URL(request.url).pathname === path;
            })
            .map(function (request) {
              return cache.delete(request);
            })
        );
      });
    })
    .catch(function () {});
})();

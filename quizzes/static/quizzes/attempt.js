/*
 * Attempt pages: a live countdown and autosave, on top of pages that already work
 * as plain form POSTs without this script.
 *
 * Config comes from data- attributes only (no inline script, so a strict CSP can
 * forbid them): on [data-attempt] data-seconds-left, data-submit-url,
 * data-result-url and data-attempt-id; on [data-answer-form] data-save-url,
 * data-position, data-question-id and data-seq (the number of the last change
 * the server stored for this question). The page never holds an answer key while
 * an attempt is in progress, and neither does this.
 *
 * - The countdown starts from the server's seconds_left and is re-synced from every
 *   save response. The visible clock is not a live region; a separate polite status
 *   announces only the 10, 5 and 1 minute marks.
 * - Every change of a choice, a strike-out or the flag is written to localStorage
 *   first (one
 *   entry per question with its whole state and a sequence number above any the
 *   server or this browser used for it), then PUT to the API. The queue is sent
 *   oldest first; an entry leaves it once the server acknowledged it, applied or
 *   not (the server ignores a number not above the one it stored, so a replay
 *   never overwrites a newer answer, from this tab or another). While the network
 *   or the server is down the page says how many answers are waiting and retries
 *   with back-off, and at once when the browser comes back online. A reload shows
 *   the queued answers and sends them. Without storage (private mode, quota) the
 *   queue lives in the page only.
 * - A 409 (time is up, attempt finished, answer confirmed in another tab) is
 *   shown; the rest of the queue is sent once (the server lists changes that came
 *   too late on the result), then this question's page is opened again: the
 *   server sends a closed attempt on to its result, and shows a confirmed answer
 *   locked, with its feedback.
 * - The address bar names the question (?q=N), so a reload stays on it instead of
 *   jumping to the first unanswered question.
 * - At zero the queue is sent once, the attempt is submitted through the API, then
 *   the result page opens.
 * - Offline reloads: the page registers sw.js (data-service-worker-url), which
 *   keeps a copy of each question's page and serves it when the network or the
 *   server fails, marked data-page-source="offline-copy". Such a copy shows the
 *   server's state of its time, so the page lays over it what this browser knows
 *   newer: the queued changes, the last saved state of each question (kept in
 *   storage when the server applied it) and the deadline (as a wall-clock time),
 *   and says it is the offline copy.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-attempt]");
  if (!root || !window.fetch) {
    return;
  }

  var RETRY_MS = 3000;
  var MAX_RETRY_MS = 30000;
  var LEAVE_DELAY_MS = 4000;
  var MILESTONES = [600, 300, 60];

  var OFFLINE_COPY_TEXT = "Offline: showing the copy saved in this browser.";

  var submitUrl = root.dataset.submitUrl;
  // Served by sw.js from its cache: until a save gets through, the status says so.
  var offlineCopy = root.dataset.pageSource === "offline-copy";
  var resultUrl = root.dataset.resultUrl;
  var clockEl = root.querySelector("[data-timer]");
  var announcer = root.querySelector("[data-timer-announcer]");
  var form = root.querySelector("[data-answer-form]");
  var statusEl = form ? form.querySelector("[data-save-status]") : null;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) {
      return input.value;
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function request(method, url, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      // keepalive lets a save started just before a navigation still arrive.
      keepalive: true,
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options);
  }

  function errorMessage(response) {
    return errorBody(response).then(function (body) {
      return body.error;
    });
  }

  // The API's refusal: its sentence, and its code when it has one (e.g.
  // "seb_required": the quiz must be sat in Safe Exam Browser).
  function errorBody(response) {
    var fallback = "The server refused the request.";
    return response
      .json()
      .then(function (data) {
        return {
          error: (data && data.error) || fallback,
          code: (data && data.code) || null,
        };
      })
      .catch(function () {
        return { error: fallback, code: null };
      });
  }

  // --- Countdown --------------------------------------------------------------

  var endsAt = null; // performance.now() value at which the time runs out
  var announced = {};
  var timerId = null;
  var timeIsUp = false;

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function secondsLeft() {
    return Math.max(0, Math.ceil((endsAt - performance.now()) / 1000));
  }

  function syncClock(seconds) {
    if (!clockEl || typeof seconds !== "number") {
      return;
    }
    endsAt = performance.now() + seconds * 1000;
    // As a wall-clock time, for an offline copy of this page whose own
    // seconds-left is as old as the copy.
    writeItem(prefix + "ends", String(Date.now() + seconds * 1000));
    // Marks already behind us are not announced late (the page may open at 4:30).
    MILESTONES.forEach(function (mark) {
      if (seconds < mark) {
        announced[mark] = true;
      }
    });
    tick();
  }

  function announce(text) {
    if (announcer) {
      announcer.textContent = text;
    }
  }

  function tick() {
    if (endsAt === null) {
      return;
    }
    var left = secondsLeft();
    clockEl.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
    clockEl.parentNode.classList.toggle("is-low", left <= 60);
    var shownAgain = left <= FORCE_SHOWN_AT && timerForce();
    MILESTONES.forEach(function (mark) {
      if (left <= mark && !announced[mark]) {
        announced[mark] = true;
        var minutes = mark / 60;
        announce(
          minutes +
            (minutes === 1 ? " minute" : " minutes") +
            " left." +
            (shownAgain ? " " + SHOWN_AGAIN_TEXT : "")
        );
        shownAgain = false;
      }
    });
    if (shownAgain) {
      // The page opened hidden, already inside the last 5 minutes.
      announce("Less than 5 minutes left. " + SHOWN_AGAIN_TEXT);
    }
    if (left === 0) {
      timeUp();
    }
  }

  // --- Hiding the timer -------------------------------------------------------
  // A running clock distracts some trainees: it can be hidden (remembered per
  // attempt in this browser's storage), but never in the last 5 minutes, when it
  // comes back, is announced, and the button goes.

  var FORCE_SHOWN_AT = 300;
  var SHOWN_AGAIN_TEXT = "The timer is shown again.";
  var timerToggle = root.querySelector("[data-timer-toggle]");
  var timerNote = root.querySelector("[data-timer-hidden-note]");
  var timerForced = false;

  function timerHide(hidden) {
    clockEl.hidden = hidden;
    timerNote.hidden = !hidden;
    timerToggle.textContent = hidden ? "Show timer" : "Hide timer";
  }

  function timerToggleStart() {
    if (!clockEl || !timerToggle || !timerNote) {
      return;
    }
    timerHide(readItem(prefix + "timer-hidden") === "1");
    timerToggle.hidden = false;
    timerToggle.addEventListener("click", function () {
      var hidden = !clockEl.hidden;
      timerHide(hidden);
      if (hidden) {
        writeItem(prefix + "timer-hidden", "1");
      } else {
        removeItem(prefix + "timer-hidden");
      }
    });
  }

  // Shows the clock for good; true when it was hidden until now.
  function timerForce() {
    if (timerForced || !timerToggle || !timerNote) {
      return false;
    }
    timerForced = true;
    var wasHidden = clockEl.hidden;
    timerHide(false);
    if (timerToggle.contains(document.activeElement)) {
      // The button is about to go: keep the focus near where it was.
      clockEl.parentNode.setAttribute("tabindex", "-1");
      clockEl.parentNode.focus();
    }
    timerToggle.hidden = true;
    return wasHidden;
  }

  function timeUp() {
    if (timeIsUp) {
      return;
    }
    timeIsUp = true;
    window.clearInterval(timerId);
    announce("Time is up. Your attempt is being submitted.");
    setStatus("Time is up: submitting your attempt…", true);
    if (form) {
      Array.prototype.forEach.call(form.elements, function (el) {
        el.disabled = true;
      });
    }
    // One last try at the queued answers, then submit whatever the server holds.
    var last = inFlight ? Promise.resolve() : sendRestOnce();
    last.then(function () {
      submitAttempt(0);
    });
  }

  // The result says the page submitted by itself (the server checks the time).
  function autoResultUrl() {
    return resultUrl + (resultUrl.indexOf("?") === -1 ? "?" : "&") + "auto=1";
  }

  function submitAttempt(tries) {
    request("POST", submitUrl)
      .then(function () {
        leave(0, autoResultUrl());
      })
      .catch(function () {
        if (tries < 5) {
          window.setTimeout(function () {
            submitAttempt(tries + 1);
          }, RETRY_MS);
        } else {
          leave(0); // the result page closes the attempt on the server's clock
        }
      });
  }

  function leave(delay, url) {
    leaving = true;
    window.setTimeout(function () {
      window.location.assign(url || resultUrl);
    }, delay);
  }

  // This question's own page, e.g. /attempts/7/?q=3.
  function questionUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("q", form.dataset.position);
    return url;
  }

  // --- Storage: the queue of changes not yet acknowledged ------------------------

  // One key per question, so that two tabs changing different questions never
  // overwrite each other's entry: <prefix>q.<question id> holds the queued state,
  // <prefix>seq.<question id> the highest number used for that question.
  var prefix = "quizzes.attempt." + (root.dataset.attemptId || submitUrl) + ".";
  var storage = (function () {
    try {
      var probe = prefix + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null; // private mode, disabled, or full: the page keeps the queue
    }
  })();
  var unstored = {}; // what storage refused (quota): kept for this page's life

  function readItem(key) {
    if (Object.prototype.hasOwnProperty.call(unstored, key)) {
      return unstored[key];
    }
    try {
      return storage ? storage.getItem(key) : null;
    } catch (error) {
      return null;
    }
  }

  function writeItem(key, value) {
    try {
      if (storage) {
        storage.setItem(key, value);
        delete unstored[key];
        return;
      }
    } catch (error) {
      // Quota exceeded: fall through and keep it in the page.
    }
    unstored[key] = value;
  }

  function removeItem(key) {
    delete unstored[key];
    try {
      if (storage) {
        storage.removeItem(key);
      }
    } catch (error) {
      // Nothing to do: the entry is gone from the page either way.
    }
  }

  function readJson(key) {
    try {
      return JSON.parse(readItem(key));
    } catch (error) {
      return null;
    }
  }

  function queueKeys(kind) {
    var keys = Object.keys(unstored);
    try {
      for (var i = 0; storage && i < storage.length; i++) {
        keys.push(storage.key(i));
      }
    } catch (error) {
      // Storage went away: the page's own entries remain.
    }
    return keys.filter(function (key, index) {
      return (
        key.indexOf(prefix + (kind || "q.")) === 0 && keys.indexOf(key) === index
      );
    });
  }

  // The queued entries, oldest change first.
  function queued() {
    return queueKeys()
      .map(readJson)
      .filter(function (entry) {
        return entry && entry.url && typeof entry.seq === "number";
      })
      .sort(function (a, b) {
        return a.stamp - b.stamp || a.seq - b.seq;
      });
  }

  function entryOf(questionId) {
    return readJson(prefix + "q." + questionId);
  }

  function lastSeq(questionId) {
    return Number(readItem(prefix + "seq." + questionId)) || 0;
  }

  function noteSeq(questionId, seq) {
    if (seq > lastSeq(questionId)) {
      writeItem(prefix + "seq." + questionId, String(seq));
    }
  }

  // The state the server stored for a question, for an offline copy of its page
  // that was made before it (see restore).
  function keepSaved(entry) {
    var saved = readJson(prefix + "s." + entry.questionId);
    if (!saved || saved.seq < entry.seq) {
      writeItem(prefix + "s." + entry.questionId, JSON.stringify(entry));
    }
  }

  // Drop an acknowledged entry, unless a newer change of its question replaced it.
  function dequeue(entry) {
    var current = entryOf(entry.questionId);
    if (current && current.seq <= entry.seq) {
      removeItem(prefix + "q." + entry.questionId);
    }
  }

  function enqueue(answer) {
    var questionId = form.dataset.questionId;
    var waiting = entryOf(questionId);
    var seq =
      Math.max(
        Number(form.dataset.seq) || 0,
        lastSeq(questionId),
        waiting ? waiting.seq : 0
      ) + 1;
    noteSeq(questionId, seq);
    var stamp = (Number(readItem(prefix + "stamp")) || 0) + 1;
    writeItem(prefix + "stamp", String(stamp));
    writeItem(
      prefix + "q." + questionId,
      JSON.stringify({
        questionId: questionId,
        url: form.dataset.saveUrl,
        position: form.dataset.position,
        choices: answer.choices,
        flagged: answer.flagged,
        struck: answer.struck,
        seq: seq,
        stamp: stamp,
      })
    );
  }

  // --- Autosave ---------------------------------------------------------------

  var inFlight = false;
  var retryId = null;
  var failures = 0;
  var sentAny = false;
  var closed = false;
  var leaving = false;
  var submitting = false;
  var waitingSubmitter = null;

  function setStatus(text, isError) {
    if (!statusEl) {
      return;
    }
    statusEl.textContent = [offlineCopy ? OFFLINE_COPY_TEXT : "", text]
      .filter(Boolean)
      .join(" ");
    statusEl.classList.toggle("is-error", Boolean(isError));
  }

  function waitingText() {
    var count = queued().length;
    return count + (count === 1 ? " answer" : " answers") + " waiting to be saved";
  }

  function checkedIds(name) {
    var checked = form.querySelectorAll("input[name=" + name + "]:checked");
    return Array.prototype.map.call(checked, function (input) {
      return Number(input.value);
    });
  }

  function currentAnswer() {
    var flag = form.querySelector("input[name=flagged]");
    return {
      choices: checkedIds("choices"),
      flagged: flag ? flag.checked : false,
      struck: checkedIds("struck"),
    };
  }

  // The option's text struck through, and "(struck out)" after it (site.css).
  function showStruck(box) {
    var row = box.closest("[data-choice]");
    if (row) {
      row.classList.toggle("is-struck", box.checked);
    }
  }

  function isLocked() {
    // A confirmed tutor-mode answer: its choices are disabled and cannot change.
    var choice = form.querySelector("input[name=choices]");
    return Boolean(choice && choice.disabled);
  }

  function updateNavigator(position, answer) {
    var item = root.querySelector('[data-nav-position="' + position + '"]');
    var state = item ? item.querySelector("[data-nav-state]") : null;
    if (!state) {
      return;
    }
    var answered = answer.choices.length > 0;
    state.textContent =
      (answered ? "Answered" : "Not answered") + (answer.flagged ? ", flagged" : "");
    item.classList.toggle("is-answered", answered);
    item.classList.toggle("is-flagged", answer.flagged);
    var progress = root.querySelector("[data-progress-answered]");
    if (progress) {
      progress.textContent = root.querySelectorAll(".nav-item.is-answered").length;
    }
  }

  function send(entry) {
    inFlight = true;
    sentAny = true;
    var body = { choices: entry.choices, flagged: entry.flagged, seq: entry.seq };
    // Entries queued by an older page have no strike-outs: the server keeps its own.
    if (Array.isArray(entry.struck)) {
      body.struck = entry.struck;
    }
    return request("PUT", entry.url, body).then(
      function (response) {
        inFlight = false;
        return response;
      },
      function (error) {
        inFlight = false;
        throw error;
      }
    );
  }

  // Back-off: 3 s, 6 s, 12 s… up to 30 s; the online event retries at once.
  function retryLater() {
    failures += 1;
    setStatus(waitingText() + " — retrying.", true);
    window.clearTimeout(retryId);
    var delay = Math.min(RETRY_MS * Math.pow(2, failures - 1), MAX_RETRY_MS);
    retryId = window.setTimeout(flush, delay);
  }

  function flush() {
    window.clearTimeout(retryId);
    if (inFlight || closed || timeIsUp || submitting) {
      return;
    }
    var entry = queued()[0];
    if (!entry) {
      if (sentAny) {
        afterSave();
      }
      return;
    }
    if (!failures) {
      setStatus("Saving…", false);
    }
    send(entry)
      .then(function (response) {
        if (response.ok) {
          return response.json().then(function (data) {
            failures = 0;
            offlineCopy = false; // the server is back: what follows is its word
            noteSeq(entry.questionId, data.seq);
            if (data.applied) {
              keepSaved(entry);
            }
            if (form && entry.questionId === form.dataset.questionId) {
              form.dataset.seq = Math.max(Number(form.dataset.seq) || 0, data.seq);
            }
            dequeue(entry);
            syncClock(data.seconds_left);
            updateNavigator(entry.position, entry);
            flush();
          });
        }
        if (response.status >= 500 || response.status === 429) {
          retryLater();
          return null;
        }
        return errorBody(response).then(function (body) {
          refused(entry, response.status, body.error, body.code);
        });
      })
      .catch(function () {
        retryLater();
      });
  }

  function afterSave() {
    if (waitingSubmitter) {
      resumeSubmit();
    } else {
      setStatus("Saved.", false);
    }
  }

  // Send every queued entry once, whatever comes back (after a refusal, and at
  // zero): past the deadline the server lists them as changes that came too late.
  function sendRestOnce() {
    return queued().reduce(function (previous, entry) {
      return previous.then(function () {
        return send(entry).then(
          function (response) {
            if (response.status < 500 && response.status !== 429) {
              dequeue(entry);
            }
          },
          function () {}
        );
      });
    }, Promise.resolve());
  }

  function refused(entry, status, message, code) {
    if (status !== 401 && status !== 403) {
      dequeue(entry); // it can never be saved as it is: keeping it would loop
    }
    if (status === 409) {
      // Time is up, the attempt is finished, or the answer was confirmed in another
      // tab: nothing more can be saved from this page. Its question's page, loaded
      // again, shows which (a closed attempt goes on to its result), so a pending
      // navigation is dropped rather than posted into the same refusal.
      closed = true;
      waitingSubmitter = null;
      setStatus(message + " Reloading the page…", true);
      sendRestOnce().then(function () {
        leave(LEAVE_DELAY_MS, form ? questionUrl() : resultUrl);
      });
      return;
    }
    if (code === "seb_required") {
      // Kept in the queue: saved once the page is open in Safe Exam Browser again.
      setStatus("Not saved: " + message, true);
    } else if (status === 401 || status === 403) {
      setStatus(
        "Not saved: you are logged out. Log in again, then reload this page. (" +
          message +
          ")",
        true
      );
    } else {
      setStatus("Not saved: " + message, true);
    }
    if (waitingSubmitter) {
      resumeSubmit();
    }
  }

  function onChange(event) {
    var target = event.target;
    if (["choices", "flagged", "struck"].indexOf(target.name) === -1) {
      return;
    }
    if (target.name === "struck") {
      showStruck(target);
    }
    if (isLocked()) {
      setStatus("Press Save to keep the flag of this confirmed answer.", false);
      return;
    }
    var answer = currentAnswer();
    enqueue(answer);
    updateNavigator(form.dataset.position, answer);
    if (inFlight || failures) {
      setStatus(waitingText() + (failures ? " — retrying." : ""), failures > 0);
    }
    flush();
  }

  // Navigation stays a plain form POST, which carries the answer itself. If an
  // autosave is on its way, wait for it, so the older save cannot land last.
  // Offline, the next page could not load: stay, the answers are kept.
  function onSubmit(event) {
    if (submitting) {
      return;
    }
    if (navigator.onLine === false) {
      event.preventDefault();
      setStatus(
        "You are offline. " +
          (queued().length ? waitingText() + "; " : "") +
          "move on once the connection is back.",
        true
      );
      return;
    }
    if (inFlight) {
      event.preventDefault();
      waitingSubmitter = event.submitter || null;
      window.setTimeout(resumeSubmit, LEAVE_DELAY_MS);
      return;
    }
    if (isConfirm(event.submitter) && !queued().length) {
      event.preventDefault();
      confirmByApi();
      return;
    }
    submitting = true;
    window.clearTimeout(retryId);
  }

  function isConfirm(submitter) {
    return Boolean(
      submitter && submitter.value === "confirm" && form.dataset.confirmUrl
    );
  }

  // Tutor mode: the answer is saved (nothing queued), so Confirm goes to the
  // confirm API with the optional confidence, then the question's page opens
  // again, locked, with its feedback. If the API cannot be reached, the plain
  // form POST (which carries the answer and the confidence too) does it instead.
  function confirmByApi() {
    var picked = form.querySelector("input[name=confidence]:checked");
    submitting = true;
    window.clearTimeout(retryId);
    setStatus("Confirming…", false);
    request(
      "POST",
      form.dataset.confirmUrl,
      picked ? { confidence: picked.value } : undefined
    )
      .then(function (response) {
        if (response.ok || response.status === 409) {
          leave(0, questionUrl());
          return null;
        }
        return errorMessage(response).then(function (message) {
          submitting = false;
          setStatus("Not confirmed: " + message, true);
        });
      })
      .catch(function () {
        submitting = false;
        waitingSubmitter = form.querySelector('button[value="confirm"]');
        resumeSubmit();
      });
  }

  function resumeSubmit() {
    // Closed: a 409 came back and the page is reloading; a post would be refused.
    if (submitting || closed) {
      return;
    }
    var submitter = waitingSubmitter;
    waitingSubmitter = null;
    submitting = true;
    window.clearTimeout(retryId);
    if (form.requestSubmit) {
      form.requestSubmit(submitter || undefined);
      return;
    }
    if (submitter && submitter.name) {
      // form.submit() leaves out the pressed button: carry its action by hand.
      var carried = document.createElement("input");
      carried.type = "hidden";
      carried.name = submitter.name;
      carried.value = submitter.value;
      form.appendChild(carried);
    }
    form.submit();
  }

  function onBeforeUnload(event) {
    // Changes kept in storage survive the reload; those only in the page do not.
    var unsaved = Object.keys(unstored).some(function (key) {
      return key.indexOf(prefix + "q.") === 0;
    });
    if (unsaved && !submitting && !leaving) {
      event.preventDefault();
      event.returnValue = "";
    }
  }

  // A reload (offline, or after the server went down): show what is still queued,
  // unless the server already holds a change as new, then send the queue.
  function restore() {
    var serverSeq = Number(form.dataset.seq) || 0;
    if (offlineCopy) {
      // Saved after the copy was made: shown, not queued (the server has them).
      savedStates().forEach(function (saved) {
        if (saved.questionId !== form.dataset.questionId) {
          updateNavigator(saved.position, saved);
        } else if (saved.seq > serverSeq && !isLocked()) {
          showAnswer(saved);
          form.dataset.seq = saved.seq;
          serverSeq = saved.seq;
        }
      });
    }
    queued().forEach(function (entry) {
      if (entry.questionId !== form.dataset.questionId) {
        updateNavigator(entry.position, entry);
        return;
      }
      if (entry.seq <= serverSeq || isLocked()) {
        dequeue(entry);
        return;
      }
      showAnswer(entry);
    });
    if (queued().length) {
      setStatus(waitingText(), false);
      flush();
    } else if (offlineCopy) {
      setStatus("", false);
    }
  }

  function showAnswer(entry) {
    Array.prototype.forEach.call(
      form.querySelectorAll("input[name=choices]"),
      function (input) {
        input.checked = entry.choices.indexOf(Number(input.value)) !== -1;
      }
    );
    if (Array.isArray(entry.struck)) {
      Array.prototype.forEach.call(
        form.querySelectorAll("input[name=struck]"),
        function (box) {
          box.checked = entry.struck.indexOf(Number(box.value)) !== -1;
          showStruck(box);
        }
      );
    }
    var flag = form.querySelector("input[name=flagged]");
    if (flag) {
      flag.checked = Boolean(entry.flagged);
    }
    updateNavigator(entry.position, entry);
  }

  function savedStates() {
    return queueKeys("s.").map(readJson).filter(function (saved) {
      return saved && typeof saved.seq === "number";
    });
  }

  // The service worker that shows this page again on a reload while offline. A
  // browser without one, or a refusal, changes nothing: the page works as before.
  function registerWorker() {
    var url = root.dataset.serviceWorkerUrl;
    if (!url || !("serviceWorker" in navigator)) {
      return;
    }
    var controlled = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker
      .register(url)
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        // This page came before the worker: ask it to keep a copy of it too.
        if (!controlled && registration.active && form) {
          registration.active.postMessage({
            type: "keep-page",
            url: questionUrl().href,
          });
        }
      })
      .catch(function () {});
  }

  // --- Keyboard shortcuts -----------------------------------------------------
  // 1-5 or A-E choose, S then 1-5 or A-E strikes an option out (or back in), F
  // flags, N and P go to the next and previous question.
  // Never with a modifier held (the browser's and screen readers' own keys), never
  // while typing in a text field, and they can be turned off (WCAG 2.1.4): the
  // switch is remembered in this browser for every attempt. Screen readers in
  // browse mode keep their single-letter keys; the page only sees keys they pass.

  var SHORTCUTS_OFF = "quizzes.shortcuts-off";
  var FOCUS_HEADING = "quizzes.focus-heading";
  var shortcutsSwitch = root.querySelector("[data-shortcuts-switch]");
  // S was pressed: the next key names the option to strike (any other key, or
  // S again, lets go).
  var strikeArmed = false;

  function shortcutsOn() {
    return !shortcutsSwitch || shortcutsSwitch.checked;
  }

  function isTyping(target) {
    if (!target || !target.tagName) {
      return false;
    }
    var tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || target.isContentEditable) {
      return true;
    }
    return tag === "input" && ["radio", "checkbox", "button", "submit"].indexOf(
      (target.type || "").toLowerCase()
    ) === -1;
  }

  function pressButton(action) {
    var button = form.querySelector('button[name=action][value="' + action + '"]');
    if (!button) {
      return false;
    }
    writeSession(FOCUS_HEADING, "1");
    button.click();
    return true;
  }

  function onShortcut(event) {
    if (
      !shortcutsOn() ||
      event.defaultPrevented ||
      event.ctrlKey ||
      event.altKey ||
      event.metaKey ||
      event.shiftKey ||
      isTyping(event.target) ||
      event.key.length !== 1
    ) {
      return;
    }
    var key = event.key.toLowerCase();
    var index = "12345".indexOf(key);
    if (index === -1) {
      index = "abcde".indexOf(key);
    }
    var handled = false;
    var striking = strikeArmed;
    strikeArmed = false;
    if (striking) {
      var boxes = form.querySelectorAll("input[name=struck]");
      var box = index === -1 ? null : boxes[index];
      if (box && !box.disabled) {
        box.click();
        var now = box.checked ? " struck out." : " no longer struck out.";
        setStatus("Option " + (index + 1) + now, false);
        handled = true;
      } else {
        setStatus("", false);
        handled = key === "s";
      }
    } else if (key === "s") {
      if (form.querySelector("input[name=struck]:not(:disabled)")) {
        strikeArmed = true;
        setStatus("Strike out which option? Press 1–5 or A–E.", false);
        handled = true;
      }
    } else if (index !== -1) {
      var input = form.querySelectorAll("input[name=choices]")[index];
      if (input && !input.disabled) {
        input.click();
        input.focus();
        handled = true;
      }
    } else if (key === "f") {
      var flag = form.querySelector("input[name=flagged]");
      if (flag && !flag.disabled) {
        flag.click();
        handled = true;
      }
    } else if (key === "n") {
      handled = pressButton("next");
    } else if (key === "p") {
      handled = pressButton("previous");
    }
    if (handled) {
      event.preventDefault();
    }
  }

  function writeSession(key, value) {
    try {
      window.sessionStorage.setItem(key, value);
    } catch (error) {
      // No session storage: the focus stays where the browser puts it.
    }
  }

  function takeSession(key) {
    try {
      var value = window.sessionStorage.getItem(key);
      window.sessionStorage.removeItem(key);
      return value;
    } catch (error) {
      return null;
    }
  }

  function shortcutsStart() {
    var list = root.querySelector("[data-shortcuts]");
    if (list) {
      list.hidden = false; // without this script there are no shortcuts to list
    }
    if (shortcutsSwitch) {
      shortcutsSwitch.checked = safeRead(SHORTCUTS_OFF) !== "1";
      shortcutsSwitch.addEventListener("change", function () {
        try {
          if (shortcutsSwitch.checked) {
            window.localStorage.removeItem(SHORTCUTS_OFF);
          } else {
            window.localStorage.setItem(SHORTCUTS_OFF, "1");
          }
        } catch (error) {
          // No storage: the switch holds for this page only.
        }
      });
    }
    document.addEventListener("keydown", onShortcut);
    // Moving on by Next, Previous or the navigator: the new question's heading
    // takes the focus, so a screen reader starts from it.
    Array.prototype.forEach.call(
      form.querySelectorAll('button[value="next"], button[value="previous"]'),
      function (button) {
        button.addEventListener("click", function () {
          writeSession(FOCUS_HEADING, "1");
        });
      }
    );
    Array.prototype.forEach.call(
      root.querySelectorAll("[data-nav-position]"),
      function (link) {
        link.addEventListener("click", function () {
          writeSession(FOCUS_HEADING, "1");
        });
      }
    );
    var heading = root.querySelector("[data-question-heading]");
    if (heading && takeSession(FOCUS_HEADING) === "1") {
      heading.focus();
    }
  }

  function safeRead(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (error) {
      return null;
    }
  }

  // --- Start ------------------------------------------------------------------

  var initial = root.dataset.secondsLeft;
  var ends = Number(readItem(prefix + "ends"));
  if (offlineCopy && initial !== "" && ends) {
    initial = Math.max(0, Math.round((ends - Date.now()) / 1000));
  }
  if (clockEl && initial !== "" && initial !== undefined) {
    timerToggleStart();
    syncClock(Number(initial));
    timerId = window.setInterval(tick, 1000);
    document.addEventListener("visibilitychange", tick);
  }

  if (form) {
    if (window.history.replaceState) {
      window.history.replaceState(window.history.state, "", questionUrl());
    }
    form.addEventListener("change", onChange);
    form.addEventListener("submit", onSubmit);
    window.addEventListener("online", function () {
      failures = 0;
      flush();
    });
    window.addEventListener("beforeunload", onBeforeUnload);
    restore();
    registerWorker();
    shortcutsStart();
  } else {
    // The submit page: send what an outage left queued before the trainee submits.
    window.addEventListener("online", flush);
    flush();
  }
})();

/*
 * Attempt pages: a live countdown and autosave, on top of pages that already work
 * as plain form POSTs without this script.
 *
 * Config comes from data- attributes only (no inline script, so a strict CSP can
 * forbid them): on [data-attempt] data-seconds-left, data-submit-url and
 * data-result-url; on [data-answer-form] data-save-url and data-position. The page
 * never holds an answer key while an attempt is in progress, and neither does this.
 *
 * - The countdown starts from the server's seconds_left and is re-synced from every
 *   save response. The visible clock is not a live region; a separate polite status
 *   announces only the 10, 5 and 1 minute marks.
 * - Every change of a choice or of the flag is PUT to the API. A failed request
 *   keeps the answer in the page and retries every few seconds and when the
 *   browser comes back online. A 409 (time is up, attempt finished, answer
 *   confirmed in another tab) is shown, then this question's page is opened
 *   again: the server sends a closed attempt on to its result, and shows a
 *   confirmed answer locked, with its feedback.
 * - The address bar names the question (?q=N), so a reload stays on it instead of
 *   jumping to the first unanswered question.
 * - At zero the attempt is submitted through the API, then the result page opens.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-attempt]");
  if (!root || !window.fetch) {
    return;
  }

  var RETRY_MS = 3000;
  var LEAVE_DELAY_MS = 4000;
  var MILESTONES = [600, 300, 60];

  var submitUrl = root.dataset.submitUrl;
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
    return response
      .json()
      .then(function (data) {
        return (data && data.error) || "The server refused the request.";
      })
      .catch(function () {
        return "The server refused the request.";
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
    MILESTONES.forEach(function (mark) {
      if (left <= mark && !announced[mark]) {
        announced[mark] = true;
        var minutes = mark / 60;
        announce(minutes + (minutes === 1 ? " minute" : " minutes") + " left.");
      }
    });
    if (left === 0) {
      timeUp();
    }
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
    // One last try at the unsaved answer, then submit whatever the server holds.
    var last = pending && !inFlight ? send(pending).catch(function () {}) : Promise.resolve();
    last.then(function () {
      submitAttempt(0);
    });
  }

  function submitAttempt(tries) {
    request("POST", submitUrl)
      .then(function () {
        leave(0);
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

  // --- Autosave ---------------------------------------------------------------

  var pending = null; // the latest answer not yet saved
  var inFlight = false;
  var retryId = null;
  var closed = false;
  var leaving = false;
  var submitting = false;
  var waitingSubmitter = null;

  function setStatus(text, isError) {
    if (!statusEl) {
      return;
    }
    statusEl.textContent = text;
    statusEl.classList.toggle("is-error", Boolean(isError));
  }

  function currentAnswer() {
    var checked = form.querySelectorAll("input[name=choices]:checked");
    var flag = form.querySelector("input[name=flagged]");
    return {
      choices: Array.prototype.map.call(checked, function (input) {
        return Number(input.value);
      }),
      flagged: flag ? flag.checked : false,
    };
  }

  function isLocked() {
    // A confirmed tutor-mode answer: its choices are disabled and cannot change.
    var choice = form.querySelector("input[name=choices]");
    return Boolean(choice && choice.disabled);
  }

  function updateNavigator(answer) {
    var item = root.querySelector(
      '[data-nav-position="' + form.dataset.position + '"]'
    );
    var state = item ? item.querySelector("[data-nav-state]") : null;
    if (!state) {
      return;
    }
    var answered = answer.choices.length > 0;
    state.textContent =
      (answered ? "Answered" : "Not answered") + (answer.flagged ? ", flagged" : "");
    item.classList.toggle("is-answered", answered);
    item.classList.toggle("is-flagged", answer.flagged);
  }

  function send(answer) {
    inFlight = true;
    return request("PUT", form.dataset.saveUrl, answer).then(
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

  function retryLater() {
    setStatus("Saving failed — retrying; your answer is kept in this page.", true);
    window.clearTimeout(retryId);
    retryId = window.setTimeout(flush, RETRY_MS);
  }

  function flush() {
    window.clearTimeout(retryId);
    if (inFlight || !pending || closed || timeIsUp) {
      return;
    }
    var answer = pending;
    setStatus("Saving…", false);
    send(answer)
      .then(function (response) {
        if (response.ok) {
          return response.json().then(function (data) {
            if (pending === answer) {
              pending = null; // no newer change came in meanwhile
            }
            syncClock(data.seconds_left);
            updateNavigator(answer);
            afterSave();
          });
        }
        if (response.status >= 500 || response.status === 429) {
          retryLater();
          return null;
        }
        return errorMessage(response).then(function (message) {
          refused(response.status, message);
        });
      })
      .catch(function () {
        retryLater();
      });
  }

  function afterSave() {
    if (waitingSubmitter) {
      resumeSubmit();
    } else if (pending) {
      flush();
    } else {
      setStatus("Saved.", false);
    }
  }

  function refused(status, message) {
    pending = null;
    if (status === 409) {
      // Time is up, the attempt is finished, or the answer was confirmed in another
      // tab: nothing more can be saved from this page. Its question's page, loaded
      // again, shows which (a closed attempt goes on to its result), so a pending
      // navigation is dropped rather than posted into the same refusal.
      closed = true;
      waitingSubmitter = null;
      setStatus(message + " Reloading the page…", true);
      leave(LEAVE_DELAY_MS, questionUrl());
      return;
    }
    if (status === 401 || status === 403) {
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
    if (target.name !== "choices" && target.name !== "flagged") {
      return;
    }
    if (isLocked()) {
      setStatus("Press Save to keep the flag of this confirmed answer.", false);
      return;
    }
    pending = currentAnswer();
    flush();
  }

  // Navigation stays a plain form POST, which carries the answer itself. If an
  // autosave is on its way, wait for it, so the older save cannot land last.
  function onSubmit(event) {
    if (submitting) {
      return;
    }
    if (inFlight) {
      event.preventDefault();
      waitingSubmitter = event.submitter || null;
      window.setTimeout(resumeSubmit, LEAVE_DELAY_MS);
      return;
    }
    submitting = true;
    pending = null;
    window.clearTimeout(retryId);
  }

  function resumeSubmit() {
    // Closed: a 409 came back and the page is reloading; a post would be refused.
    if (submitting || closed) {
      return;
    }
    var submitter = waitingSubmitter;
    waitingSubmitter = null;
    submitting = true;
    pending = null;
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
    if (pending && !submitting && !leaving) {
      event.preventDefault();
      event.returnValue = "";
    }
  }

  // --- Start ------------------------------------------------------------------

  var initial = root.dataset.secondsLeft;
  if (clockEl && initial !== "" && initial !== undefined) {
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
    window.addEventListener("online", flush);
    window.addEventListener("beforeunload", onBeforeUnload);
  }
})();

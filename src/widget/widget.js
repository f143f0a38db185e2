/* prix-ceser: the public vote of one prize (body.vote) and its ceremony screen (body.live).
   Plain JavaScript, no dependency. Texts never go through innerHTML. */
(function () {
  "use strict";
  var body = document.body;
  var prize = body.getAttribute("data-prize");
  var lang = body.getAttribute("data-lang") === "en" ? "en" : "fr";
  var api = "/api/v1/prizes/" + prize;
  var main = document.getElementById("widget");
  var announcer = document.getElementById("status");

  /* The texts, in the page's language, from the server's catalogue (locales/LANG/widget.ftl). */
  var TEXTS = JSON.parse(document.getElementById("texts").textContent);

  function t(key, values) {
    var text = TEXTS[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  /* An element with attributes and children (strings become text nodes). */
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === "text") node.textContent = attributes[name];
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), attributes[name]);
      else node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function parisDate(iso) {
    return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "fr-FR", {
      dateStyle: "full", timeStyle: "short", timeZone: "Europe/Paris"
    }).format(new Date(iso));
  }

  function percent(share) {
    return new Intl.NumberFormat(lang === "en" ? "en-GB" : "fr-FR", {
      style: "percent", maximumFractionDigits: 1
    }).format(share);
  }

  /* The accent colour, and a text colour that keeps 4.5:1 on it. */
  function applyAccent(hex) {
    if (!/^#([0-9a-fA-F]{3}){1,2}$/.test(hex)) return;
    var digits = hex.length === 4 ? hex.slice(1).replace(/./g, "$&$&") : hex.slice(1);
    var channel = function (index) {
      var value = parseInt(digits.substr(index * 2, 2), 16) / 255;
      return value <= 0.03928 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
    };
    var luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
    var root = document.documentElement.style;
    root.setProperty("--accent", hex);
    root.setProperty("--on-accent", (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) ? "#000000" : "#ffffff");
    /* Outlines, borders, bars and the turnout are drawn on white: a light accent would not
       show (WCAG asks 3:1 for them, 4.5:1 for text), so they use the text colour instead. */
    if (1.05 / (luminance + 0.05) < 4.5) root.setProperty("--accent-ink", "#1a1a1a");
  }

  /* The height of the content, for the embedding page (embed.js). */
  function reportHeight() {
    if (window.parent === window) return;
    window.parent.postMessage({ type: "prix-ceser:height", height: document.documentElement.scrollHeight }, "*");
  }

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  /* Calls the API; resolves to {status, data, retryAfter}; never rejects. */
  function call(method, path, payload, token) {
    var headers = { Accept: "application/json", "Accept-Language": lang };
    if (payload) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(api + path, { method: method, headers: headers, body: payload ? JSON.stringify(payload) : undefined })
      .then(function (response) {
        return response.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (ignored) { data = null; }
          return { status: response.status, data: data, retryAfter: Number(response.headers.get("Retry-After")) };
        });
      })
      .catch(function () { return { status: 0, data: null, retryAfter: 0 }; });
  }

  /* What a refusal of the API means, in plain words. */
  function refusal(answer) {
    var code = answer.data && answer.data.code;
    if (answer.status === 0) return t("network");
    if (code === "rate_limited") {
      var wait = answer.retryAfter > 0 ? answer.retryAfter : 60;
      var minutes = Math.ceil(wait / 60);
      return t("rate_limited", {
        wait: wait === 1 ? t("one_second") : wait < 60 ? t("seconds", { count: wait })
          : minutes === 1 ? t("one_minute") : t("minutes", { count: minutes })
      });
    }
    if (code === "validation_failed") {
      var fields = (answer.data.errors || []).map(function (error) { return error.field; });
      if (fields.indexOf("code") >= 0) return t("invalid_code");
      if (fields.indexOf("email") >= 0) return t("invalid_email");
    }
    if (answer.status === 401) return t("expired");
    if (code === "already_voted" || code === "ballot_not_open" || code === "too_many_attempts" ||
        code === "not_found" || code === "not_entitled") {
      return t(code);
    }
    return t("error");
  }

  /* Shows a new step: its heading takes the focus and is announced (not on the first view:
     the embedding page must not scroll to the widget by itself). */
  function show(title, nodes, first) {
    main.textContent = "";
    var heading = el("h2", { tabindex: "-1", text: title });
    main.appendChild(heading);
    nodes.forEach(function (node) { if (node) main.appendChild(node); });
    main.setAttribute("aria-busy", "false");
    if (!first) {
      heading.focus();
      announce(t("step_announce", { title: title }));
    }
    reportHeight();
  }

  /* A form whose submission runs `action` (a promise), with its error line. */
  function form(fields, buttons, action) {
    var error = el("p", { class: "error", role: "alert" });
    var node = el("form", { novalidate: "" }, fields.concat([error, el("div", { class: "actions" }, buttons)]));
    node.addEventListener("submit", function (event) {
      event.preventDefault();
      var submit = node.querySelector("button[type=submit]");
      error.textContent = "";
      submit.disabled = true;
      announce(t("working"));
      Promise.resolve(action(function (message, field) {
        error.textContent = message;
        if (field) {
          field.setAttribute("aria-invalid", "true");
          field.focus();
        }
        reportHeight();
      })).then(function () { submit.disabled = false; });
    });
    return node;
  }

  function field(id, label, hint, attributes) {
    var input = el("input", Object.assign({ id: id, name: id, "aria-describedby": id + "-hint" }, attributes));
    return {
      input: input,
      node: el("div", { class: "field" }, [el("label", { for: id, text: label }), el("p", { id: id + "-hint", class: "hint", text: hint }), input])
    };
  }

  function videoButton(candidate) {
    if (!candidate.video_embed_url) return null;
    var holder = el("div");
    var button = el("button", {
      type: "button", class: "secondary", text: t("video", { title: candidate.action_title }),
      onclick: function () {
        var frame = el("iframe", {
          class: "video", src: candidate.video_embed_url, title: t("video_title", { title: candidate.action_title }),
          allow: "fullscreen; picture-in-picture", allowfullscreen: "", referrerpolicy: "strict-origin-when-cross-origin"
        });
        holder.replaceChild(frame, button);
        frame.focus();
        reportHeight();
      }
    });
    holder.appendChild(button);
    return holder;
  }

  function candidateCard(candidate, extra) {
    return el("li", { class: "candidate" }, [
      el("h3", { text: candidate.action_title }),
      candidate.summary ? el("p", { class: "summary", text: candidate.summary }) : null,
      videoButton(candidate)
    ].concat(extra || []));
  }

  function candidateList(candidates) {
    return el("ul", { class: "candidates" }, candidates.map(function (candidate) { return candidateCard(candidate); }));
  }

  /* ---- The vote ---- */

  var ballot = null;
  var voter = { email: "", token: null, choice: null };

  /* `notice`: why the voter is back here (their session expired). */
  function stepEmail(notice) {
    var email = field("email", t("email_label"), t("email_hint"), { type: "email", autocomplete: "email", required: "", value: voter.email });
    show(t("email_step"), [typeof notice === "string" ? el("p", { class: "error", role: "alert", text: notice }) : null,
      form([email.node], [el("button", { type: "submit", text: t("send_code") })], function (fail) {
      voter.email = email.input.value.trim();
      return call("POST", "/voter-verifications", { email: voter.email }).then(function (answer) {
        if (answer.status === 202 || answer.status === 200) stepCode();
        else fail(refusal(answer), email.input);
      });
    })]);
  }

  function stepCode() {
    var code = field("code", t("code_label"), t("code_hint", { email: voter.email }), {
      type: "text", inputmode: "numeric", autocomplete: "one-time-code", required: "", maxlength: "6"
    });
    show(t("code_step"), [form([code.node], [
      el("button", { type: "submit", text: t("confirm_code") }),
      el("button", { type: "button", class: "secondary", text: t("other_email"), onclick: stepEmail })
    ], function (fail) {
      return call("POST", "/voter-verifications/confirm", { email: voter.email, code: code.input.value.trim() }).then(function (answer) {
        if (answer.status === 200) {
          voter.token = answer.data.voter_token;
          stepChoice();
        } else fail(refusal(answer), code.input);
      });
    })]);
  }

  function stepChoice() {
    var choices = ballot.candidates.map(function (candidate, index) {
      var id = "choice-" + index;
      var radio = el("input", { type: "radio", name: "choice", id: id, value: candidate.id });
      if (voter.choice === candidate.id) radio.checked = true;
      return el("div", { class: "choice" }, [radio, el("label", { for: id }, [
        candidate.action_title,
        candidate.summary ? el("span", { class: "summary", text: candidate.summary }) : null
      ])]);
    });
    var fieldset = el("fieldset", {}, [el("legend", { text: t("choice_legend") })].concat(choices));
    show(t("choice_step"), [form([fieldset], [el("button", { type: "submit", text: t("next") })], function (fail) {
      var picked = fieldset.querySelector("input:checked");
      if (!picked) return fail(t("pick_one"), fieldset.querySelector("input"));
      voter.choice = picked.value;
      stepConfirm();
    })]);
  }

  function stepConfirm() {
    var chosen = ballot.candidates.filter(function (candidate) { return candidate.id === voter.choice; })[0];
    show(t("confirm_step"), [
      el("p", { text: t("confirm_text", { title: chosen.action_title }) }),
      form([], [
        el("button", { type: "submit", text: t("cast") }),
        el("button", { type: "button", class: "secondary", text: t("change"), onclick: stepChoice })
      ], function (fail) {
        return call("POST", "/votes", { application_id: voter.choice }, voter.token).then(function (answer) {
          var code = answer.data && answer.data.code;
          if (answer.status === 201) stepReceipt(answer.data.receipt);
          else if (answer.status === 401 || code === "not_entitled") stepEmail(refusal(answer));
          else fail(refusal(answer));
        });
      })
    ]);
  }

  function receiptCheck(prefilled) {
    var receipt = field("receipt", t("receipt_label"), "", { type: "text", required: "", value: prefilled || "", autocomplete: "off" });
    var result = el("p", { role: "status" });
    return el("section", { "aria-labelledby": "check-title" }, [
      el("h3", { id: "check-title", text: t("check_step") }),
      form([receipt.node, result], [el("button", { type: "submit", text: t("check") })], function (fail) {
        result.textContent = "";
        return call("GET", "/receipts/" + encodeURIComponent(receipt.input.value.trim())).then(function (answer) {
          if (answer.status === 200) {
            result.className = "success";
            result.textContent = t("counted");
          } else if (answer.status === 404) fail(t("unknown_receipt"), receipt.input);
          else fail(refusal(answer), receipt.input);
          reportHeight();
        });
      })
    ]);
  }

  function stepReceipt(receipt) {
    show(t("receipt_step"), [
      el("p", { text: t("receipt_text") }),
      el("p", { class: "receipt", id: "receipt-code", text: receipt }),
      receiptCheck(receipt)
    ]);
  }

  function showResults(results) {
    var counts = {};
    (results.tally ? results.tally.counts : []).forEach(function (count) { counts[count.application_id] = count.votes; });
    var turnout = results.turnout;
    var ordered = ballot.candidates.slice().sort(function (a, b) { return (counts[b.id] || 0) - (counts[a.id] || 0); });
    var items = ordered.map(function (candidate) {
      var votes = counts[candidate.id] || 0;
      var share = turnout ? votes / turnout : 0;
      var card = candidateCard(candidate, [
        el("p", { text: t("votes", { count: votes, share: percent(share) }) }),
        el("div", { class: "bar", "aria-hidden": "true" }, [el("span", { "data-share": String(share) })])
      ]);
      card.querySelector(".bar span").style.width = (share * 100).toFixed(1) + "%";
      if (candidate.id === results.winner) {
        card.classList.add("laureate");
        card.querySelector("h3").appendChild(el("span", { class: "badge", text: t("laureate") }));
      }
      return card;
    });
    return [el("p", { text: turnout === 1 ? t("turnout_one") : t("turnout", { count: turnout }) }), el("ul", { class: "candidates" }, items)];
  }

  function showBallot() {
    var title = ballot.localized_prize_name;
    document.title = title;
    var heading = el("h1", { text: title });
    if (ballot.state === "open") {
      show(t("open"), [
        ballot.closes_at ? el("p", { text: t("closes_at", { date: parisDate(ballot.closes_at) }) }) : null,
        el("h3", { text: t("candidates") }), candidateList(ballot.candidates),
        el("div", { class: "actions" }, [el("button", { type: "button", text: t("start"), onclick: stepEmail })])
      ], true);
    } else if (ballot.state === "published") {
      return call("GET", "/results").then(function (answer) {
        if (answer.status !== 200) return show(refusal(answer), [], true);
        show(t("published"), showResults(answer.data).concat([receiptCheck("")]), true);
        main.insertBefore(heading, main.firstChild);
        reportHeight();
      });
    } else if (ballot.state === "closed") {
      show(t("closed"), [receiptCheck("")], true);
    } else {
      show(t("scheduled"), [
        el("p", { text: ballot.opens_at ? t("opens_at", { date: parisDate(ballot.opens_at) }) : t("not_scheduled") }),
        el("h3", { text: t("candidates") }), candidateList(ballot.candidates)
      ], true);
    }
    main.insertBefore(heading, main.firstChild);
    reportHeight();
  }

  /* ---- The ceremony screen ---- */

  function showLive() {
    var state = el("p", { class: "state" });
    var turnout = el("p", { class: "turnout", role: "status", "aria-live": "polite", text: "0" });
    var label = el("p", { text: t("turnout", { count: "" }).trim() });
    main.textContent = "";
    [el("h1", { text: ballot.localized_prize_name }), state, turnout, label].forEach(function (node) { main.appendChild(node); });
    main.setAttribute("aria-busy", "false");
    document.title = ballot.localized_prize_name;
    var stream = new EventSource(api + "/live");
    stream.addEventListener("turnout", function (event) {
      var data = JSON.parse(event.data);
      state.textContent = t(data.state === "open" ? "live_open" : data.state === "closed" ? "live_closed" : "live_waiting");
      turnout.textContent = String(data.turnout);
    });
    stream.addEventListener("result", function (event) {
      stream.close();
      var results = JSON.parse(event.data);
      main.textContent = "";
      main.appendChild(el("h1", { text: ballot.localized_prize_name }));
      showResults(results).forEach(function (node) { main.appendChild(node); });
    });
  }

  applyAccent(body.getAttribute("data-accent") || "");
  window.addEventListener("resize", reportHeight);
  call("GET", "/ballot").then(function (answer) {
    if (answer.status !== 200) {
      show(answer.status === 404 ? t("not_found") : refusal(answer), [], true);
      return;
    }
    ballot = answer.data;
    if (body.classList.contains("live")) showLive();
    else showBallot();
  });
})();

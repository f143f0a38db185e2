/* prix-ceser: embeds the public vote of one prize.
   <script src="https://API/widget/v1/embed.js" data-prize="PRIZE_ID" data-lang="fr" async></script>
   Inserts an iframe on the API's own origin (the voter's token never reaches the host page)
   and keeps its height to its content. Options: data-lang (fr, en), data-accent (#rrggbb). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src, document.baseURI).origin;
  var prize = script.getAttribute("data-prize") || "";
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(prize)) {
    console.error("prix-ceser: data-prize must be the prize's id");
    return;
  }
  var lang = script.getAttribute("data-lang") === "en" ? "en" : "fr";
  var query = "lang=" + lang;
  var accent = (script.getAttribute("data-accent") || "").replace(/^#/, "");
  if (/^([0-9a-fA-F]{3}){1,2}$/.test(accent)) query += "&accent=" + accent;
  var frame = document.createElement("iframe");
  frame.src = origin + "/widget/v1/prizes/" + encodeURIComponent(prize) + "?" + query;
  frame.title = lang === "en" ? "Public vote" : "Vote du public";
  frame.setAttribute("allow", "fullscreen");
  frame.style.width = "100%";
  frame.style.minHeight = "200px";
  frame.style.border = "0";
  frame.style.display = "block";
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (data && data.type === "prix-ceser:height" && isFinite(data.height)) {
      frame.style.height = Math.min(Math.max(Math.ceil(data.height), 100), 20000) + "px";
    }
  });
})();

// The diff page, enhanced: keys n and p (and the navigator's buttons) go to the next and the
// previous change; a link to a paragraph inside a fold opens it; minor changes hide in place.
// Without this script every part of the page still works through plain links.
(function () {
  "use strict";
  var nav = document.getElementById("navigator");
  var diff = document.getElementById("diff");
  if (!nav || !diff) return;
  var position = nav.querySelector(".position");
  var previous = document.getElementById("previous-change");
  var next = document.getElementById("next-change");
  var total = Number(nav.getAttribute("data-count")) || 0;
  var current = -1;

  function changes() {
    return Array.prototype.filter.call(
      diff.querySelectorAll("[data-change]"),
      function (el) { return el.offsetParent !== null; }
    );
  }

  function line() {
    // the height of the navigator, stuck at the top: a change "at the top" sits just under it
    return nav.offsetHeight;
  }

  function onScreen(el) {
    var box = el.getBoundingClientRect();
    return box.bottom > line() && box.top < window.innerHeight;
  }

  function show(list, index) {
    var el = list[index];
    if (!el) return;
    var old = diff.querySelector(".current");
    if (old) old.classList.remove("current");
    el.classList.add("current");
    current = index;
    var y = el.getBoundingClientRect().top + window.scrollY - line() - 8;
    window.scrollTo(0, Math.max(0, y));
    if (history.replaceState) history.replaceState(null, "", "#" + el.id);
    if (position) {
      position.textContent = "change " + (index + 1).toLocaleString() + " of " +
        list.length.toLocaleString();
    }
    if (previous) previous.href = "#" + (list[index - 1] || el).id;
    if (next) next.href = "#" + (list[index + 1] || el).id;
  }

  function step(delta) {
    var list = changes();
    if (!list.length) return;
    var top = line() + 12;
    var index = -1;
    if (list[current] && onScreen(list[current])) {
      index = current + delta; // from the change last shown, while it is on screen
    } else if (delta > 0) {
      index = list.findIndex(function (el) { return el.getBoundingClientRect().top > top; });
      if (index < 0) index = list.length - 1;
    } else {
      list.forEach(function (el, k) { if (el.getBoundingClientRect().top < top - 8) index = k; });
    }
    show(list, Math.min(list.length - 1, Math.max(0, index)));
  }

  if (previous) previous.addEventListener("click", function (e) { e.preventDefault(); step(-1); });
  if (next) next.addEventListener("click", function (e) { e.preventDefault(); step(1); });

  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var target = e.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    if (e.key === "n" || e.key === "j") { e.preventDefault(); step(1); }
    else if (e.key === "p" || e.key === "k") { e.preventDefault(); step(-1); }
  });

  // a link to a paragraph inside a closed fold: open the fold first
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    for (var up = el && el.parentElement; up; up = up.parentElement) {
      if (up.tagName === "DETAILS") up.open = true;
    }
    if (el) el.scrollIntoView({ block: "start" });
  }
  window.addEventListener("hashchange", reveal);
  if (location.hash) reveal();

  var toggle = document.getElementById("toggle-minor");
  if (toggle) {
    toggle.addEventListener("click", function (e) {
      e.preventDefault();
      var hidden = diff.classList.toggle("hide-minor");
      toggle.textContent = toggle.textContent.replace(/^(show|hide)/, hidden ? "show" : "hide");
    });
  }
  if (total && position) position.setAttribute("title", "keys: n next change, p previous");

  // a map of where the changes are helps on a long page only
  var minimap = document.querySelector(".tracker-minimap");
  if (minimap && document.documentElement.scrollHeight < window.innerHeight * 1.5) {
    minimap.hidden = true;
  }
})();

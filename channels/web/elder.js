// Elderly mode: large page on the plain-text channel; every reply is read aloud.
// The server's HttpOnly session cookie identifies the conversation.
(function () {
  "use strict";
  var reply = document.getElementById("reply");
  var form = document.getElementById("ask-form");
  var input = document.getElementById("ask-input");
  var error = document.getElementById("ask-error");
  var speakButton = document.getElementById("speak");
  var audio = document.getElementById("tts-audio");
  var lastText = reply.textContent;

  function chineseVoice() {
    var voices = window.speechSynthesis ? window.speechSynthesis.getVoices() : [];
    return voices.filter(function (v) { return /^zh(-|_)?CN/i.test(v.lang); })[0] || null;
  }

  // Browser speech when it has a Chinese voice; otherwise the server's espeak-ng WAV.
  function speak(text) {
    if (!text) { return; }
    var voice = chineseVoice();
    if (window.speechSynthesis && voice) {
      window.speechSynthesis.cancel();
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = "zh-CN";
      try { utterance.voice = voice; } catch (e) { /* some browsers only accept their own voice objects */ }
      utterance.rate = 0.85;
      window.speechSynthesis.speak(utterance);
    } else {
      audio.src = "/tts?text=" + encodeURIComponent(text.slice(0, 300));
      audio.play().catch(function () { /* autoplay may be blocked until the user taps */ });
    }
  }

  function show(text) {
    lastText = text;
    reply.textContent = text;
    speak(text);
  }

  function ask(message) {
    error.textContent = "";
    reply.textContent = "请稍等，正在为您查询……";
    return fetch("/api/elder", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ message: message })
    }).then(function (r) { return r.json(); })
      .then(function (body) { show(body.text || body.detail || "抱歉，请再说一遍。"); },
            function () { show("网络不太好，请再试一次，或者拨打 1 2 3 4 5。"); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { error.textContent = "请先输入问题。"; return; }
    input.value = "";
    ask(text);
  });
  document.querySelectorAll("[data-ask]").forEach(function (button) {
    button.addEventListener("click", function () { ask(button.dataset.ask); });
  });
  document.getElementById("repeat").addEventListener("click", function () { speak(lastText); });

  var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (Recognition) {
    speakButton.hidden = false;
    speakButton.addEventListener("click", function () {
      var recognition = new Recognition();
      recognition.lang = "zh-CN";
      recognition.interimResults = false;
      speakButton.textContent = "🎤 正在听……";
      recognition.onresult = function (event) { ask(event.results[0][0].transcript); };
      recognition.onend = function () { speakButton.textContent = "🎤 说话"; };
      recognition.onerror = function () { error.textContent = "没有听清，请再说一遍或打字。"; };
      recognition.start();
    });
  }
})();

// The readout review: selecting words in the readout fills the "passage the tracker missed"
// form with them and their paragraph. Without JavaScript, the form is filled by hand.
(function () {
  "use strict";
  const form = document.querySelector("#passage form");
  if (!form) return;
  const paragraphField = form.querySelector("[name=paragraph]");
  const textField = form.querySelector("[name=text]");
  document.addEventListener("selectionchange", function () {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return;
    const at = function (node) {
      const element = node && (node.nodeType === 1 ? node : node.parentElement);
      return element && element.closest(".readout-para");
    };
    const paragraph = at(selection.anchorNode);
    if (!paragraph || paragraph !== at(selection.focusNode)) return;
    const words = selection.toString().trim();
    if (!words) return;
    paragraphField.value = paragraph.dataset.paragraph;
    textField.value = words;
  });
})();

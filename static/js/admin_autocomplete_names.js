// Django admin's autocomplete fields (Select2) name their combobox, and the read-only
// textbox inside it, after the chosen value alone, so an empty one has no accessible name
// (WCAG 4.1.2). Name both after the field's label as well.
function nameAutocompleteFields() {
  document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
    const label = document.querySelector(`label[for="${select.id}"]`);
    const container = select.nextElementSibling;
    const box = container && container.querySelector(".select2-selection");
    const shown = container && container.querySelector(".select2-selection__rendered");
    if (!label || !box) {
      return;
    }
    label.id = label.id || `${select.id}_label`;
    const names = [label.id, shown && shown.id].filter(Boolean).join(" ");
    box.setAttribute("aria-labelledby", names);
    if (shown) {
      shown.setAttribute("aria-labelledby", names);
    }
  });
}

// Django sets Select2 up in a jQuery "ready" callback, which jQuery runs asynchronously;
// one queued after it (this deferred script runs after the page's own scripts) runs later.
if (window.django && window.django.jQuery) {
  window.django.jQuery(nameAutocompleteFields);
} else {
  window.addEventListener("load", nameAutocompleteFields);
}

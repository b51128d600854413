"""Browser: what a new user meets first — filters that show their whole choice, the
admin center's accepted invitation, New order's honest notice (English and Korean)."""

import io

import pytest
from django.core.management import call_command

from partnercenter.management.demo import DEMO_PASSWORD
from partnercenter.models import User

#: For each <select> on the page, whether its chosen option's text fits inside it: the
#: text's width in the select's own font against its inner width (less the arrow's room).
CLIPPED_SELECTS = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  return Array.from(document.querySelectorAll("main select")).filter((select) => {
    const style = getComputedStyle(select);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = select.options[select.selectedIndex]?.text || "";
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return canvas.measureText(text).width > room + 1;
  }).map((select) => `${select.name}: "${select.options[select.selectedIndex].text}"`);
}"""


def _sign_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state("load")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ko"])
def test_no_filter_cuts_off_the_text_of_its_choice(page, live_server, language):
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    User.objects.update(language=language)
    _sign_in(page, live_server.url, "globaladmin@northwind.example")
    clipped = []
    for path in ("/customers/", "/customers/compliance/", "/settings/activity/"):
        page.goto(live_server.url + path)
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            clipped += [f"{path} @{width}px: {s}" for s in page.evaluate(CLIPPED_SELECTS)]
    assert clipped == []

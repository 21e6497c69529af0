"""Filling in a Django admin page as an administrator does: what its form holds now, with some fields changed."""

import lxml.html


def admin_form(client, url: str, **changes) -> dict:
    """The values the admin form at ``url`` would send as it stands (its inlines' management forms included), with
    ``changes`` typed over them; posting them is pressing «Lưu»."""
    page = lxml.html.fromstring(client.get(url).content.decode())
    form = page.xpath("//form[@method='post'][.//input[@name='csrfmiddlewaretoken']][.//*[@name='_save']]")[0]
    data = {}
    for field in form.xpath(".//input[@name] | .//select[@name] | .//textarea[@name]"):
        name, kind = field.get("name"), (field.get("type") or "").lower()
        if name == "csrfmiddlewaretoken" or kind in ("submit", "button", "file"):
            continue
        if field.tag == "select":
            chosen = field.xpath(".//option[@selected]/@value")
            data[name] = chosen[0] if chosen else ""
        elif field.tag == "textarea":
            data[name] = field.text or ""
        elif kind == "checkbox":
            if field.get("checked") is not None:
                data[name] = field.get("value") or "on"
        else:
            data[name] = field.get("value") or ""
    return {**data, **changes}


def errors_of(response) -> list[str]:
    """The messages the admin page shows under its fields and at its top."""
    page = lxml.html.fromstring(response.content.decode())
    return [li.text_content().strip() for li in page.xpath("//ul[contains(@class, 'errorlist')]/li")]

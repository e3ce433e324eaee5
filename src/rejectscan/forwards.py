"""Find the original message inside a forward. Pure: ParsedMail in, Original out.

Three shapes exist in the wild (README, "What it reads"):
- forward as attachment: a message/rfc822 part, parsed by parse.py into ParsedMail.attached;
- inline forward: the original's headers rendered as text ("From:/Date:/Subject:" in the client's
  language, often under a separator line, sometimes quoted with ">", Yahoo's all on one line);
- Outlook for Mac's "On 28/10/2021 12:46, "Name" <addr> wrote:" line, used for forwards too.
Nested forwards are unwrapped to the innermost original. A reply that quotes a header block is
not a forward (its subject says "Re:"), so it is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rejectscan.models import Original, ParsedMail, Via
from rejectscan.text import unquoted

# Label -> languages it implies. The languages only steer date parsing; labels shared by several
# languages list all of them.
_FIELD_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "from": {
        "From": ("en",), "Von": ("de",), "De": ("fr", "es", "pt", "ro"), "Da": ("it",),
        "Van": ("nl",), "Fra": ("da", "nb"), "Från": ("sv",), "Od": ("pl", "cs", "sk", "hr"),
        "Lähettäjä": ("fi",), "Šalje": ("hr",), "Feladó": ("hu",), "De la": ("ro",),
        "Gönderen": ("tr",), "Kimden": ("tr",), "Від": ("uk",), "Від кого": ("uk",),
        "От": ("ru",), "Отправитель": ("ru",), "Saatja": ("et",), "送信元": ("ja",),
        "差出人": ("ja",), "发件人": ("zh",), "보낸 사람": ("ko",), "Nadawca": ("pl",),
        "Mittente": ("it",), "Expeditorul": ("ro",), "Expéditeur": ("fr",), "Remitente": ("es",),
        "Remetente": ("pt",), "Absender": ("de",), "Afzender": ("nl",), "Avsändare": ("sv",),
        "Afsender": ("da",), "Avsender": ("nb",), "Odesílatel": ("cs",), "Odosielateľ": ("sk",),
    },
    "date": {
        "Date": ("en", "fr"), "Datum": ("de", "nl", "sv", "cs", "hr"), "Data": ("it", "pt", "pl"),
        "Fecha": ("es",), "Dato": ("da", "nb"), "Päivämäärä": ("fi",), "Päiväys": ("fi",),
        "Dátum": ("hu", "sk"), "Dată": ("ro",), "Tarih": ("tr",), "Дата": ("ru", "uk"),
        "日付": ("ja",), "送信日時": ("ja",), "发送时间": ("zh",), "日期": ("zh",),
        "보낸 날짜": ("ko",), "Kuupäev": ("et",), "Sent": ("en",), "Gesendet": ("de",),
        "Envoyé": ("fr",), "Enviado": ("es", "pt"), "Enviado el": ("es",), "Enviada em": ("pt",),
        "Enviada": ("pt",), "Inviato": ("it",), "Verzonden": ("nl",), "Sendt": ("da", "nb"),
        "Skickat": ("sv",), "Wysłano": ("pl",), "Odesláno": ("cs",), "Odoslané": ("sk",),
        "Poslano": ("hr",), "Elküldve": ("hu",), "Küldve": ("hu",), "Trimis": ("ro",), "Gönderildi": ("tr",),
        "Отправлено": ("ru",), "Надіслано": ("uk",), "Відправлено": ("uk",), "Gönderilen": ("tr",), "Lähetetty": ("fi",), "Saadetud": ("et",),
    },
    "subject": {
        "Subject": ("en",), "Betreff": ("de",), "Objet": ("fr",), "Sujet": ("fr",),
        "Asunto": ("es",), "Oggetto": ("it",), "Assunto": ("pt",), "Onderwerp": ("nl",),
        "Emne": ("da", "nb"), "Ämne": ("sv",), "Temat": ("pl",), "Předmět": ("cs",),
        "Predmet": ("sk", "hr"), "Aihe": ("fi",), "Tárgy": ("hu",), "Subiect": ("ro",),
        "Subiectul": ("ro",), "Konu": ("tr",), "Тема": ("ru", "uk"), "件名": ("ja",),
        "主题": ("zh",), "主旨": ("zh",), "제목": ("ko",), "Naslov": ("hr",), "Teema": ("et",),
    },
    "to": {
        "To": ("en",), "An": ("de",), "À": ("fr",), "Pour": ("fr",), "Para": ("es", "pt"),
        "A": ("it",), "Aan": ("nl",), "Til": ("da", "nb"), "Till": ("sv",),
        "Do": ("pl",), "Komu": ("cs", "sk"), "Vastaanottaja": ("fi",), "Prima": ("hr",),
        "Pre": ("sk",), "Címzett": ("hu",), "Către": ("ro",), "Destinatarul": ("ro",),
        "Kime": ("tr",), "Кому": ("ru", "uk"), "宛先": ("ja",), "送信先": ("ja",),
        "收件人": ("zh",), "받는 사람": ("ko",), "Adresat": ("pl",), "Saaja": ("et",),
    },
    "cc": {
        "Cc": (), "Kopie": (), "Kopie (CC)": (), "Copie à": (), "Copia": (), "Kopia": (),
        "DW": (), "Kopio": (), "Kopi": (), "Kópia": (), "Másolat": (), "Másolatot kap": (),
        "Bilgi": (), "Копия": (), "Копія": (), "Cópia": (), "抄送": (), "참조": (), "Bcc": (),
    },
    "reply_to": {
        "Reply-To": (), "Antwort an": (), "Répondre à": (), "Responder a": (),
        "Rispondi a": (), "Antwoord aan": (), "Svara till": (), "Svar til": (),
    },
}

_LABEL_FIELD: dict[str, str] = {}
_LABEL_LANGS: dict[str, tuple[str, ...]] = {}
for _field, _labels in _FIELD_LABELS.items():
    for _label, _langs in _labels.items():
        _LABEL_FIELD[_label.casefold()] = _field
        _LABEL_LANGS[_label.casefold()] = _langs

_LABEL_ALT = "|".join(re.escape(lbl) for lbl in sorted(
    (lbl for labels in _FIELD_LABELS.values() for lbl in labels), key=len, reverse=True))
# "From: x", "*From:* x", "De : x" (French space), "Date:\tx" (Thunderbird), "件名：x".
_HEADER_LINE = re.compile(rf"^\**({_LABEL_ALT})\**[ \t]*[:：]\**[ \t]*(.*)$", re.IGNORECASE)
# Any other header line a client may show in the block (Message-ID, X-Mailer, References, a
# localised label we do not know, such as Hungarian "Fontosság:"): read past, so the labels around
# it stay one block, whatever their order. One word of letters in any script, then a colon.
_OTHER_FIELD = re.compile(r"^\**[^\W\d_][\w-]{1,40}\**[ \t]*[:：]\**[ \t]*\S")
# Yahoo writes the whole block on the separator's line: split it before each label.
_INLINE_LABEL = re.compile(rf"({_LABEL_ALT})[ \t]*[:：]", re.IGNORECASE)

_SUBJECT_ALT = "|".join(re.escape(lbl) for lbl in _FIELD_LABELS["subject"])
_GLUED_SUBJECT = re.compile(rf"(?<=[A-Z0-9])({_SUBJECT_ALT})(?=[ \t][^:])")

# Words that make a separator line mean "forward" (not "original message" of a reply).
_FORWARD_WORDS = re.compile(
    r"forward|weiterge|réexp|transf[eé]r|reenv|inoltr|doorgest|encaminh|vidarebef|videresend"
    r"|välitet|przekaz|přepos|prepos|proslij|továbbít|redirec|переадрес|пересл|пересил"
    r"|ileti|iletilmi|letilmiş|перенаправ|転送|转发|전달|edasi",
    re.IGNORECASE,
)
_DASH_SEPARATOR = re.compile(r"^[-–—]{3,}\s*(.{0,60}?)\s*[-–—]{2,}\s*(.*)$")
_UNDERSCORE_SEPARATOR = re.compile(r"^_{10,}\s*$")
_COLON_SEPARATOR = re.compile(r"^([^\s:@][^:@]{2,60}?)\s*:\s*$")

# The subject prefixes mail clients put before a forwarded message's subject, in the languages
# the labels above cover ("Fwd:", German "WG:", French "TR:", Spanish "RV:", Italian "I:",
# Hungarian "TOV:", ...). The IMAP search looks for the ASCII ones (searches.subject_markers).
FORWARD_PREFIXES: tuple[str, ...] = ("fwd", "fw", "wg", "tr", "rv", "i", "vs", "vb", "pd", "enc", "redir.", "vl",
                                     "videresend", "i̇lt", "ilt", "doorst", "tov")
_FORWARD_PREFIX = re.compile(
    r"^\s*(" + "|".join(re.escape(p) for p in FORWARD_PREFIXES) + r")\s*:", re.IGNORECASE)
_REPLY_PREFIXES = ("re", "aw", "sv", "antw", "odp", "ynt", "vá", "r", "rif", "отв", "ответ")
_REPLY_PREFIX = re.compile(r"^\s*(" + "|".join(_REPLY_PREFIXES) + r")\s*:", re.IGNORECASE)
_ANY_PREFIX = re.compile(
    r"^\s*(?:(?:" + "|".join(re.escape(p) for p in (*FORWARD_PREFIXES, *_REPLY_PREFIXES))
    + r")\s*(?:\[\d+\])?\s*:\s*)+",
    re.IGNORECASE,
)

_ADDR = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_QUOTED_NAME = re.compile(r"[\"«„“']\s*([^\"»”“']+?)\s*[\"»”“']")
# Outlook's "Delegate <a@b> on behalf of Owner <c@d>" (in the labels' languages): the name is read
# from the part before it, where the address is taken from.
ON_BEHALF_WORDS: tuple[str, ...] = ("on behalf of", "im Auftrag von", "de la part de", "en nombre de",
                                    "per conto di", "em nome de", "namens", "w imieniu")
_ON_BEHALF = re.compile(r"\s(?:" + "|".join(re.escape(w) for w in ON_BEHALF_WORDS) + r")\s.*$", re.IGNORECASE)
# An address in brackets, also nested as Outlook writes it: "<a@b<mailto:a@b>>".
_BRACKETED = re.compile(r"<[^<>]*>|\[mailto:[^\]]*\]|\([^)]*@[^)]*\)")
# "On 28/10/2021 12:46, "Name" <addr> wrote:" in any language: a numeric date, a time (with its
# AM/PM when the clock is 12-hour: "On 3/11/26, 4:03 PM, ..."), an address.
_WROTE_DATE = re.compile(r"(\d{1,2}/\d{1,2}/\d{2,4}),?\s+(\d{1,2}[:.]\d{2}(?:\s*[AaPp]\.?[Mm]\.?(?![\w]))?)")

MAX_NESTING = 10
# A forward inside a forward is unwrapped only when the middle message says little more than
# "see below", or is itself a forward by its subject ("Fwd: ..."); a longer text above a block in
# a message that is not a forward means it is a thread quoted in the original, not a nesting.
NOTE_MAX_CHARS = 200


@dataclass(frozen=True)
class _Block:
    fields: dict
    languages: tuple[str, ...]
    body: str
    style: Via
    date_order: str = ""
    preamble: int = 0  # characters of text written above the block (a forwarding note)


def unwrap(mail: ParsedMail) -> Original:
    """The innermost original: attached messages first, then inline forwards, at most 10 deep."""
    original = _direct(mail)
    for _ in range(MAX_NESTING):
        inner = _unwrap_once(original)
        if inner is None:
            break
        original = inner
    return original


def strip_subject_prefixes(subject: str) -> str:
    """'Fwd: Fw: RE: x' -> 'x'."""
    return _ANY_PREFIX.sub("", subject or "").strip()


def is_forward_subject(subject: str) -> bool:
    return bool(_FORWARD_PREFIX.match(subject or ""))


def _direct(mail: ParsedMail) -> Original:
    return Original(
        from_name=mail.from_name, from_addr=mail.from_addr, subject=mail.subject,
        body=mail.text, forwarded=False, via=Via.DIRECT, date_header=mail.date_header, mail=mail,
    )


def _unwrap_once(current: Original) -> Original | None:
    mail = current.mail
    if current.via in (Via.DIRECT, Via.ATTACHED) and mail is not None and mail.attached:
        inner = next((m for m in mail.attached if m.from_addr or m.subject), None)
        if inner is not None:
            return Original(
                from_name=inner.from_name, from_addr=inner.from_addr, subject=inner.subject,
                body=inner.text, forwarded=True, via=Via.ATTACHED,
                date_header=inner.date_header, forwarded_by=current.from_addr, mail=inner,
            )
    block = find_inline_forward(current.body, current.subject)
    if block is None or (current.forwarded and block.preamble > NOTE_MAX_CHARS
                         and not is_forward_subject(current.subject)):
        return None
    name, addr = split_address(block.fields.get("from", ""))
    subject = block.fields.get("subject") or strip_subject_prefixes(current.subject)
    return Original(
        from_name=name, from_addr=addr, subject=subject, body=block.body, forwarded=True,
        via=block.style, date_text=block.fields.get("date", ""), date_languages=block.languages,
        date_order=block.date_order, forwarded_by=current.from_addr,
        # the forwarder's own mail still carries the outer Date, whose offset gives the zone
        mail=current.mail,
    )


def split_address(value: str) -> tuple[str, str]:
    """'Name <a@b>', 'Name [mailto:a@b]', '"Name" (a@b)', 'a@b' -> ('Name', 'a@b')."""
    value = value.strip()
    found = _ADDR.search(value)
    addr = found.group(0).lower() if found else ""
    quoted = _QUOTED_NAME.search(value)
    if quoted and "@" not in quoted.group(1):
        name = quoted.group(1)
    else:
        name = _ON_BEHALF.sub("", value)
        for _ in range(3):  # innermost first: "<a@b<mailto:a@b>>" takes two passes; bounded, as input may nest deeper
            name = _BRACKETED.sub(" ", name)
        name = _ADDR.sub(" ", name)
    name = re.sub(r"\s+", " ", name).strip(" \"'«»„“”<>()[],;")
    return name, addr


def _clean_lines(text: str) -> list[str]:
    """Every line without its quote markers (">", "> >") or indentation."""
    return [line.strip() for line in unquoted(text).split("\n")]


def _split_run_on(line: str) -> list[str]:
    """Yahoo's 'From: a <a@b>To: c <c@d>Sent: ...Subject: x' -> one line per label.

    Yahoo pt even drops the colon after the subject label ('09:26:50 CETAssunto x').
    """
    line = _GLUED_SUBJECT.sub(lambda m: m.group(1) + ":", line)
    starts = [m.start() for m in _INLINE_LABEL.finditer(line)]
    if len(starts) < 3:
        return [line]
    pieces = [line[a:b].strip() for a, b in zip(starts, starts[1:] + [len(line)])]
    return ([line[: starts[0]].strip()] if starts[0] else []) + pieces


def find_inline_forward(text: str, subject: str = "") -> _Block | None:
    """The first forwarded header block in text, or None when the text is not a forward."""
    if not text:
        return None
    lines = _clean_lines(text[:200_000])
    separators = [_separator(line) for line in lines]
    # preamble[i]: characters of ordinary text above line i (computed once: linear, not quadratic)
    preamble = [0] * (len(lines) + 1)
    for i, line in enumerate(lines):
        preamble[i + 1] = preamble[i] + (len(line) if line and not separators[i][0] else 0)
    fwd_subject = is_forward_subject(subject)
    reply_subject = bool(_REPLY_PREFIX.match(subject or "")) and not fwd_subject
    separator: str = ""  # "forward" or "neutral" for the latest separator line seen
    for i, line in enumerate(lines):
        sep_kind, rest = separators[i]
        if sep_kind:
            separator = sep_kind
            if rest:  # Yahoo: the header block runs on after the separator
                block = _read_block(_split_run_on(rest), lines, i + 1, counts_lines=False)
                if block is not None and _accept(block, separator, True, reply_subject, fwd_subject):
                    return replace(block, preamble=preamble[i])
            continue
        if _HEADER_LINE.match(line):
            block = _read_block(lines[i:i + 40], lines, i, counts_lines=True)
            if block is not None and _accept(block, separator, preamble[i] == 0, reply_subject, fwd_subject):
                return replace(block, preamble=preamble[i])
            if block is not None:
                return None  # a quoted header block that is not a forward: a reply
        if fwd_subject:
            wrote = _wrote_line(lines, i)
            if wrote is not None:
                return replace(wrote, preamble=preamble[i])
    return None


def _separator(line: str) -> tuple[str, str]:
    m = _DASH_SEPARATOR.match(line)
    if m and m.group(1):
        return ("forward" if _FORWARD_WORDS.search(m.group(1)) else "neutral"), m.group(2)
    if _UNDERSCORE_SEPARATOR.match(line):
        return "neutral", ""
    m = _COLON_SEPARATOR.match(line)
    if m and _FORWARD_WORDS.search(m.group(1)) and not _HEADER_LINE.match(line):
        return "forward", ""
    return "", ""


def _accept(block: _Block, separator: str, before_empty: bool, reply_subject: bool,
            fwd_subject: bool) -> bool:
    if separator == "forward":
        return True
    if reply_subject:
        return False
    return bool(separator) or before_empty or fwd_subject


def _read_block(candidates: list[str], lines: list[str], body_start: int,
                counts_lines: bool) -> _Block | None:
    """Collect label lines, in any order and with other header lines among them; a block needs
    a sender and a date or a subject.

    candidates are the block's lines; when counts_lines, they are lines[body_start:] and the
    body begins after the ones used, otherwise the body begins at body_start.
    """
    fields: dict[str, str] = {}
    languages: list[str] = []
    last = ""
    used = 0
    for k, text in enumerate(candidates):
        if not text:
            used += 1
            if fields and not _new_label(candidates[k + 1] if k + 1 < len(candidates) else "", fields):
                break
            continue
        m = _HEADER_LINE.match(text)
        if m:
            label = m.group(1).casefold()
            field = _LABEL_FIELD[label]
            if field in fields and field in ("from", "date", "subject"):
                break  # the next block begins
            fields[field] = m.group(2).strip().strip("*").strip()
            languages.extend(_LABEL_LANGS[label])
            last = field
        elif fields and _OTHER_FIELD.match(text):
            last = "other"  # Message-ID, Reply-To's kin, X-Mailer: part of the block, not its end
        elif last in ("to", "cc", "other") and ("@" in text or text.endswith((",", ";"))):
            pass  # a wrapped recipient list, or a wrapped References
        elif fields:
            break
        used += 1
    if not fields.get("from") or ("date" not in fields and "subject" not in fields):
        return None
    start = body_start + used if counts_lines else body_start
    body = "\n".join(lines[start:]).strip("\n")
    langs = tuple(dict.fromkeys(languages)) or ("en",)
    return _Block(fields=fields, languages=langs, body=body, style=Via.INLINE)


def _new_label(text: str, fields: dict[str, str]) -> bool:
    """Whether a line after a blank one still belongs to the block: a label of a field it lacks.
    Outlook's HTML puts each label in its own paragraph, so its text has a blank line between them."""
    m = _HEADER_LINE.match(text)
    return bool(m) and _LABEL_FIELD[m.group(1).casefold()] not in fields


def _wrote_line(lines: list[str], i: int) -> _Block | None:
    """Outlook for Mac: 'On 28/10/2021 12:46, "John Doe" <john.doe@acme.com> wrote:'.

    The day/month order is left to the date reader: Outlook for Mac writes the system's short date,
    so '3/11/26, 4:03 PM' (12-hour clock, the US habit) is March 11 and '03/11/2026 16:03' is 3 November.
    """
    line = lines[i]
    if not line.endswith(":") or "@" not in line:
        return None
    date = _WROTE_DATE.search(line)
    addr = _ADDR.search(line)
    if not date or not addr:
        return None
    sender = line[date.end():] if date.start() < addr.start() else line[: date.start()]
    name, address = split_address(sender)
    name = _strip_wrote_words(name)
    body = "\n".join(lines[i + 1:]).strip("\n")
    return _Block(
        fields={"from": f"{name} <{address}>" if name else address,
                "date": f"{date.group(1)} {date.group(2)}"},
        languages=("en",), body=body, style=Via.INLINE_WROTE,
    )


_WROTE_WORDS = re.compile(  # not \b: "napsal(a)" ends in a bracket, which \b cannot follow
    r"(?<!\w)(wrote|schrieb|skrev|a écrit|escribió|ha scritto|escreveu|schreef|napsal\(a\)|napsal"
    r"|napisał|napísal|kirjoitti|ezt írta|időpontban|heeft|geschreven|följande|følgende|den"
    r"|tarihinde|şunu yazdı|пользователь|написал|używkownik|użytkownik|používateľ)(?!\w)",
    re.IGNORECASE,
)


def _strip_wrote_words(name: str) -> str:
    return re.sub(r"\s+", " ", _WROTE_WORDS.sub(" ", name)).strip(" ,:\"'«»„“”")

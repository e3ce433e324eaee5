"""Is this email written in a language the decision rules cannot read? Pure.

The rules in patterns/decisions.toml read English. A platform email in Spanish that turns a profile
down would otherwise come out as deciding nothing; rejectscan says instead that it cannot read it
(README, "How it decides"). The guess counts common short words, which needs no library and no
model: it only has to tell English from the languages the platforms write to freelancers in.
"""

from __future__ import annotations

import re

SAMPLE = 4_000  # characters read: the greeting and the decision come first
MIN_WORDS = 12  # too little text to tell: no guess
MARGIN = 2.0  # the other language must have this many times English's share of common words

_WORDS = {
    "English": "the and you your we our to of is are was not have has for with this that be will in it on".split(),
    "Spanish": "el la los las de que y en tu su su no es por para con una un lo hemos tus usted gracias perfil "
               "cuenta solicitud".split(),
    "Portuguese": "o a os as de que e em seu sua não é por para com uma um você nós obrigado perfil conta "
                  "solicitação".split(),
    "French": "le la les de des que et en votre vos nous pas est pour avec une un vous ne merci profil compte "
              "demande".split(),
    "German": "der die das und ist nicht wir ihr ihre ihren sie zu mit für ein eine den dem auf danke profil "
              "konto antrag".split(),
    "Italian": "il la le di che e non è per con una un vostro tuo tua sei siamo grazie profilo account "
               "richiesta".split(),
    "Dutch": "de het een en niet je jouw uw wij we is van voor met op dank profiel account aanvraag".split(),
    "Polish": "i w nie na że się jest twój twoje twoja z do dla to dziękujemy profil konto wniosek".split(),
}
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def unreadable(text: str) -> str | None:
    """The language the text is written in when it is clearly not English, else None."""
    sample = (text or "")[:SAMPLE]
    letters = _LETTER.findall(sample)
    if len(letters) >= 40 and len(_CYRILLIC.findall(sample)) > len(letters) / 2:
        return "Russian or another Cyrillic-script language"
    words = [w.lower() for w in _TOKEN.findall(sample)]
    if len(words) < MIN_WORDS:
        return None
    counts = {name: sum(1 for w in words if w in common) for name, common in _SETS.items()}
    best = max((n for n in counts if n != "English"), key=lambda n: counts[n])
    if counts[best] >= MIN_WORDS / 2 and counts[best] >= MARGIN * max(1, counts["English"]):
        return best
    return None


_SETS = {name: frozenset(words) for name, words in _WORDS.items()}

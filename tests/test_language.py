"""Platform mail in a language the decision rules cannot read is said to be unread, and shown,
never passed off as deciding nothing (language.py)."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, run
from rejectscan.language import unreadable

SAMPLES = {
    "Spanish": "Hola Ana, hemos revisado tu perfil y lamentablemente no podemos aprobar tu cuenta en este "
               "momento. Puedes volver a intentarlo dentro de un mes. Gracias por tu interés, el equipo",
    "Portuguese": "Olá Ana, analisamos o seu perfil e infelizmente não podemos aprovar a sua conta neste momento. "
                  "Você pode tentar novamente em um mês. Obrigado pelo interesse, a equipe",
    "French": "Bonjour Anne, nous avons examiné votre profil et nous ne pouvons pas approuver votre compte pour "
              "le moment. Vous pouvez réessayer dans un mois. Merci de votre intérêt, l'équipe",
    "German": "Hallo Anna, wir haben dein Profil geprüft und können dein Konto leider nicht freischalten. Du "
              "kannst es in einem Monat erneut versuchen. Danke für dein Interesse, dein Team",
    "Italian": "Ciao Anna, abbiamo esaminato il tuo profilo e purtroppo non possiamo approvare il tuo account per "
               "ora. Puoi riprovare tra un mese. Grazie per il tuo interesse, il team",
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_the_big_european_languages_are_told_from_english(language):
    assert unreadable(SAMPLES[language]) == language


@pytest.mark.parametrize("text", [
    "Hola Ana! We have reviewed your profile and we are unable to approve it at this time. Gracias, the team",
    "Hi José, thanks for applying to join. Your profile for São Paulo has been approved and is now live.",
    "Approved.",  # too short to tell
    "",
])
def test_english_with_foreign_names_or_greetings_is_read(text):
    assert unreadable(text) is None


def _spanish_rejection(tmp_path):
    original = (FIXTURES / "upwork" / "bot-rejection.eml").read_text()
    head = original[:original.index("MIME-Version")]
    path = tmp_path / "es.eml"
    path.write_text(head + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + SAMPLES["Spanish"] + "\n")
    return str(path)


def test_an_unread_platform_email_is_shown_and_said_to_be_unread(tmp_path):
    path = _spanish_rejection(tmp_path)
    text = run("analyze", path)
    assert text.code == 0
    assert "cannot read this Upwork email (Spanish)" in " ".join(text.out.split())
    assert "Not a decision about your profile" not in text.out
    assert "1 email in a language rejectscan cannot read yet." in " ".join(text.out.split())
    record = run("analyze", path, "--format", "json").json()[0]
    assert (record["kind"], record["language"], record["platform"]) == ("other", "Spanish", "upwork")
    assert "cannot read this" not in run("analyze", path, "--kind", "approval").out  # shown only where a rejection is
    english = run("analyze", str(FIXTURES / "upwork" / "bot-rejection.eml"), "--format", "json").json()[0]
    assert english["language"] is None

"""Does a message reveal violence, threats, stalking or danger to a child?

Checked on every typed message, inside the questionnaire and outside it: such a message goes
straight to the safety answer (102, 112, 111), whatever else it asks. The cues are deliberately
about people hurting or threatening people ("he beats me", "мені қорқытады", "угрожает убить"),
not about legal words that merely name an offence in a question ("can a fine be mediated?"):
a false alarm hides the answer the person asked for. tests/unit/test_safety.py holds the
examples both ways, and checks every NLU training example for false alarms.
"""

from __future__ import annotations

from bot.screening.dispute_types import cues
from bot.text.skeleton import fold

_DANGER = cues(
    # English
    "hits me,hit me$,hitting me,beats me,beat me$,beating me,beaten$,beats my,hits my,"
    "abuses me,abusive,domestic violence,violent,violence$,threaten,threats$,threat to kill,"
    "kill me,kill us,kill my,will kill,wants to kill,stalk,following me,follows me,"
    "hurt me,hurts me,hurting me,hurts my,afraid for my life,scared for my life,in danger,"
    "unsafe$,not safe,raped,rape$,assaulted,strangl,choked me,"
    # Russian
    "бьет меня,меня бьет,бьет жену,бьет мужа,бьет ребен,бьет детей,"
    "бьют меня,меня бьют,избива,избил,ударил,ударила,побои$,побил,"
    "поднимает руку,поднял руку,"
    "угрожа,угроз,убью,убьет,убить меня,убить нас,убить ребен,насили,изнасил,"
    "преследу,следит за мной,душил,запугива,боюсь за жизнь,боюсь за свою,боюсь его,боюсь ее,"
    "в опасности,опасно дома,домашн насили,издева,"
    # Kazakh
    "ұрады,ұрып,ұрды,соққы,соғады,соқты,қол көтер,қорқыт,өлтір,зорлық,зорлады,зорлап кетт,"
    "аңдып,аңдиды,қауіп төн,қауіпте$,қорлай,қинайды,қуғындай"
)
# "Safe" and "security" share the stem of danger in Kazakh (қауіпсіз = safe): never a cue.
_NOT_DANGER = cues(
    "қауіпсіз,угроза штраф,угрожает штраф,violence against minors is,"
    "насилие в отношении несовершеннолетних"
)


def reveals_danger(text: str) -> bool:
    """True if the message speaks of violence, threats, stalking or danger to someone."""
    plain = fold(text)
    if not plain:
        return False
    return bool(_DANGER.search(_NOT_DANGER.sub(" ", plain)))

"""The ready-made surveys a manager can copy (services.copy_ready_made): product
satisfaction, the support team, the training and deployment team, the sales team, and
suggestions on a topic the manager names. The texts are translatable: a copy is written in
the language of the manager who makes it, and is theirs to edit from then on."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import QuestionKind

SINGLE, MULTIPLE = QuestionKind.SINGLE, QuestionKind.MULTIPLE
RATING, NPS, TEXT = QuestionKind.RATING, QuestionKind.NPS, QuestionKind.TEXT


@dataclass(frozen=True)
class ReadyQuestion:
    kind: str
    text: Promise
    help_text: Promise | str = ""
    required: bool = True
    choices: tuple[Promise, ...] = ()


@dataclass(frozen=True)
class ReadyMade:
    key: str
    name: Promise
    description: Promise
    title: Promise
    intro: Promise
    thank_you: Promise
    questions: tuple[ReadyQuestion, ...]
    # Its texts hold "%(topic)s", filled in with the topic the manager gives.
    needs_topic: bool = False


THANK_YOU = _("Thank you for your answers: they help us serve you better.")

TEMPLATES: tuple[ReadyMade, ...] = (
    ReadyMade(
        key="product_satisfaction",
        name=_("Product satisfaction"),
        description=_("How satisfied members are with what they bought, and what to improve."),
        title=_("How satisfied are you with our products?"),
        intro=_("A few quick questions about the products you bought from us."),
        thank_you=THANK_YOU,
        questions=(
            ReadyQuestion(
                RATING,
                _("Overall, how satisfied are you with the product you bought?"),
                _("1 = very dissatisfied, 5 = very satisfied."),
            ),
            ReadyQuestion(RATING, _("How well did the product match its description?")),
            ReadyQuestion(
                SINGLE,
                _("How long have you been using it?"),
                choices=(
                    _("Less than a month"),
                    _("One to six months"),
                    _("Six to twelve months"),
                    _("More than a year"),
                ),
            ),
            ReadyQuestion(
                MULTIPLE,
                _("What do you value most about it?"),
                _("Choose as many as you like."),
                choices=(
                    _("Quality"),
                    _("Price"),
                    _("Design"),
                    _("Ease of use"),
                    _("Durability"),
                    _("After-sales service"),
                ),
            ),
            ReadyQuestion(
                NPS, _("How likely are you to recommend our products to a friend or colleague?")
            ),
            ReadyQuestion(TEXT, _("What should we improve?"), required=False),
        ),
    ),
    ReadyMade(
        key="support_team",
        name=_("Support team"),
        description=_("How the support team handled a member's question or problem."),
        title=_("How did our support team do?"),
        intro=_("Tell us about the last time you contacted our support team."),
        thank_you=THANK_YOU,
        questions=(
            ReadyQuestion(
                SINGLE,
                _("How did you contact us?"),
                choices=(
                    _("By phone"),
                    _("In a branch"),
                    _("Through the website"),
                    _("Through social media"),
                ),
            ),
            ReadyQuestion(
                SINGLE,
                _("Was your problem solved?"),
                choices=(_("Yes, completely"), _("Partly"), _("No")),
            ),
            ReadyQuestion(RATING, _("How satisfied are you with the help you received?")),
            ReadyQuestion(RATING, _("How quickly did we answer?")),
            ReadyQuestion(
                RATING, _("How courteous and knowledgeable was the person who helped you?")
            ),
            ReadyQuestion(
                NPS, _("How likely are you to recommend our support to a friend or colleague?")
            ),
            ReadyQuestion(TEXT, _("How could we have helped you better?"), required=False),
        ),
    ),
    ReadyMade(
        key="training_deployment",
        name=_("Training and deployment team"),
        description=_("How the installation went and how well the training prepared members."),
        title=_("How did the training and installation go?"),
        intro=_("Our training and deployment team would like to know how they did."),
        thank_you=THANK_YOU,
        questions=(
            ReadyQuestion(RATING, _("How smoothly did the installation go?")),
            ReadyQuestion(
                SINGLE,
                _("Was the work finished on the agreed date?"),
                choices=(_("Yes"), _("A little late"), _("Much later than agreed")),
            ),
            ReadyQuestion(RATING, _("How well did the training prepare you to use the product?")),
            ReadyQuestion(RATING, _("How clear were the trainer's explanations?")),
            ReadyQuestion(
                MULTIPLE,
                _("On which topics would you like more training?"),
                _("Choose as many as you like."),
                required=False,
                choices=(
                    _("Everyday use"),
                    _("Advanced features"),
                    _("Care and maintenance"),
                    _("Solving common problems"),
                ),
            ),
            ReadyQuestion(
                NPS, _("How likely are you to recommend this team to a friend or colleague?")
            ),
            ReadyQuestion(
                TEXT,
                _("Is there anything else you would like to tell the team?"),
                required=False,
            ),
        ),
    ),
    ReadyMade(
        key="sales_team",
        name=_("Sales team"),
        description=_("The advice and service members had from the sales staff."),
        title=_("How was your experience with our sales team?"),
        intro=_("A few questions about the advice and service you had when you bought from us."),
        thank_you=THANK_YOU,
        questions=(
            ReadyQuestion(
                SINGLE,
                _("Where did you buy?"),
                choices=(_("In a branch"), _("By phone"), _("Online")),
            ),
            ReadyQuestion(RATING, _("How well did our sales staff understand what you needed?")),
            ReadyQuestion(RATING, _("How useful was their advice?")),
            ReadyQuestion(
                SINGLE,
                _("Did you feel pushed to buy?"),
                choices=(_("Not at all"), _("A little"), _("Yes")),
            ),
            ReadyQuestion(
                NPS, _("How likely are you to recommend our sales team to a friend or colleague?")
            ),
            ReadyQuestion(TEXT, _("What could our sales team do better?"), required=False),
        ),
    ),
    ReadyMade(
        key="suggestions",
        name=_("Suggestions on a topic"),
        description=_(
            "Members' ideas on a topic you choose, such as opening hours or a new product."
        ),
        title=_("Your suggestions: %(topic)s"),
        intro=_("We would like to hear your ideas about %(topic)s."),
        thank_you=_("Thank you for your suggestions: we read every one of them."),
        needs_topic=True,
        questions=(
            ReadyQuestion(RATING, _("How satisfied are you today with %(topic)s?")),
            ReadyQuestion(
                SINGLE,
                _("How important is %(topic)s to you?"),
                choices=(_("Very important"), _("Somewhat important"), _("Not important")),
            ),
            ReadyQuestion(TEXT, _("What is your most important suggestion about %(topic)s?")),
            ReadyQuestion(TEXT, _("Anything else you would like to add?"), required=False),
        ),
    ),
)

BY_KEY = {template.key: template for template in TEMPLATES}

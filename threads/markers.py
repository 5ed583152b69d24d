"""What a sentence or a heading *is*, by its words: the per-language lists selection reads.

One data module, so a language is added in one place. Each list covers en, de, es, fr,
pt, ko, ja, zh, vi and id (the corpus languages plus common ones); a language without
an entry uses English's. Matching is case-insensitive; Korean, Vietnamese, Indonesian
and the Latin-script languages match whole words at the start of a sentence (or
anywhere, for phrases), Chinese and Japanese match a prefix (no spaces between words).

- **leans on the one before**: a sentence opening with This/It/However/So… reads only
  after the sentence before it (selection keeps both or neither);
- **boilerplate**: thanks, subscribe and sign-up lines, "in this post", "stay tuned",
  "read on" — ranked last;
- **points at what a thread cannot show**: "as shown below", "like so:", "the following";
- **points at a link that is not posted**: "See the docs for details.", "… here.";
- **not a lead**: bylines, dates, disclaimers;
- **headings of sections that are not for followers**: contents, references, footnotes,
  further reading, and credits (when thanks and lists of names make up the section).
"""

from __future__ import annotations

import re
from functools import cache

LANGUAGES = ("en", "de", "es", "fr", "pt", "ko", "ja", "zh", "vi", "id")
# Written without spaces between words: markers match as prefixes or substrings.
UNSPACED = frozenset({"ja", "zh"})

# Opening words of a sentence that reads only after the one before it.
# fmt: off
LEANS_ON_PREVIOUS: dict[str, tuple[str, ...]] = {
    "en": (
        'this', 'that', 'these', 'those', 'it', 'its', "it's", 'they', 'them', 'their', 'such',
        'however', 'so', 'thus', 'therefore', 'hence', 'but', 'also', 'instead', 'then', 'still',
        'yet', 'and', 'or', 'both', 'otherwise', 'additionally', 'furthermore', 'moreover',
        'meanwhile', 'similarly', 'likewise', 'as a result', 'in addition', 'in other words',
        'in that case', 'on the other hand', 'that said', 'that way', 'this way', 'even so',
        'which', 'he', 'she', 'the latter', 'the former',
        # The second of several, or an example of a claim: without the first, they dangle.
        'another', 'second', 'secondly', 'third', 'thirdly', 'finally', 'lastly',
        'for example', 'for instance', 'in fact', 'indeed', 'as such', 'because of this',
        'combined with', 'on top of that', 'besides', 'again', 'to do so', 'to do this',
        'to that end', 'in this case',
    ),
    "de": (
        'dies', 'diese', 'dieser', 'dieses', 'diesen', 'damit', 'dadurch', 'deshalb', 'daher',
        'deswegen', 'darum', 'dabei', 'dazu', 'allerdings', 'jedoch', 'aber', 'außerdem', 'zudem',
        'trotzdem', 'dennoch', 'also', 'sie', 'er', 'es', 'das ist', 'das bedeutet', 'somit',
        'stattdessen', 'ebenso', 'ein weiterer', 'eine weitere', 'ein weiteres', 'zweitens',
        'drittens', 'schließlich', 'zum beispiel', 'beispielsweise', 'tatsächlich',
    ),
    "es": (
        'esto', 'esta', 'este', 'estos', 'estas', 'eso', 'esa', 'ese', 'esos', 'esas', 'ello',
        'sin embargo', 'por eso', 'por lo tanto', 'así', 'además', 'también', 'pero', 'entonces',
        'asimismo', 'en cambio', 'de esta manera', 'de este modo', 'otro', 'otra',
        'por ejemplo', 'finalmente', 'en segundo lugar', 'de hecho',
    ),
    "fr": (
        'cela', 'ceci', 'ce', 'cette', 'ces', 'ça', 'il', 'elle', 'ils', 'elles', 'cependant',
        'toutefois', 'donc', 'ainsi', 'mais', 'aussi', 'de plus', 'en outre', 'par conséquent',
        'pourtant', 'en revanche', 'un autre', 'une autre', 'deuxièmement', 'enfin',
        'par exemple', 'en effet',
    ),
    "pt": (
        'isso', 'isto', 'este', 'esta', 'esse', 'essa', 'estes', 'estas', 'esses', 'essas', 'ele',
        'ela', 'eles', 'elas', 'no entanto', 'porém', 'portanto', 'assim', 'mas', 'além disso',
        'também', 'então', 'contudo', 'dessa forma', 'desta forma', 'outro', 'outra',
        'por exemplo', 'finalmente', 'de fato',
    ),
    "ko": (
        '이', '이는', '이것', '이것은', '이러한', '이런', '이를', '이에', '이로써', '이로',
        '이와', '그', '그것', '그것은',
        '그러나', '하지만', '그래서', '따라서', '그리고', '또한', '또', '그런데', '그러므로',
        '즉', '이처럼', '그럼에도', '게다가',
        '반면',
    ),
    "ja": (
        'これ', 'それ', 'この', 'その', 'こう', 'そう', 'しかし', 'ただし', 'そのため', 'そこで',
        'また', 'さらに', 'なお', 'つまり',
        'だから', 'でも', 'ですが', '一方', 'したがって', 'そして', 'ただ', 'それでも', 'とはいえ',
    ),
    "zh": (
        '这', '那', '它', '其', '此', '该', '但', '然而', '因此', '所以', '此外', '另外', '而且',
        '同时', '不过', '并且',
        '于是', '因而', '总之',
    ),
    "vi": (
        'điều này', 'điều đó', 'đây', 'đó', 'nó', 'chúng', 'tuy nhiên', 'vì vậy', 'do đó',
        'nhưng', 'ngoài ra', 'hơn nữa', 'cũng', 'vì thế', 'như vậy',
    ),
    "id": (
        'ini', 'itu', 'hal ini', 'hal itu', 'mereka', 'namun', 'tetapi', 'tapi', 'jadi',
        'oleh karena itu', 'karena itu', 'selain itu', 'juga', 'dengan demikian', 'sehingga',
        'akan tetapi',
    ),
}
# fmt: on

# Phrases that mark a line as boilerplate: thanks, sign-up, "in this post", "stay tuned".
# fmt: off
BOILERPLATE: dict[str, tuple[str, ...]] = {
    "en": (
        r"\bthank(s| you)\b", r"\bsubscribe\b", r"\bsign(ing)? up\b", r"\bnewsletter\b",
        r"\bin this (post|article|blog post|issue|release|tutorial)\b", r"\bstay tuned\b",
        r"\bread on\b", r"\bwithout further ado\b", r"\bhappy (coding|hacking)\b",
        r"\bfollow us\b", r"\blet us know\b", r"\bfeel free to\b",
        r"\bplease (submit|share|vote)\b", r"\bleave a comment\b", r"\bin your inbox\b",
        r"\blet'?s (dive|get started|begin)\b", r"\bhuge thank", r"\bshout-?out\b",
        r"\bwe'?d love to hear\b", r"\bjoin us\b",
    ),
    "de": (
        r"\bdank(e|en|bar)\b", r"\bvielen dank\b", r"\babonnier", r"\bnewsletter\b",
        r"\bin diesem (artikel|beitrag|post|blogpost)\b", r"\bbleib(t|en sie)? dran\b",
        r"\bviel spaß\b", r"\blies weiter\b", r"\bfolgt uns\b", r"\blasst uns wissen\b",
    ),
    "es": (
        r"\bgracias\b", r"\bsuscr[ií]be", r"\bboletín\b", r"\ben este (artículo|post)\b",
        r"\bmantente atento\b", r"\bsigue leyendo\b", r"\bsíguenos\b", r"\bno dudes en\b",
    ),
    "fr": (
        r"\bmerci\b", r"\babonnez-vous\b", r"\bnewsletter\b", r"\bdans cet article\b",
        r"\brestez à l['’]écoute\b", r"\blisez la suite\b", r"\bsuivez-nous\b",
        r"\bn['’]hésitez pas\b",
    ),
    "pt": (
        r"\bobrigad[oa]\b", r"\binscreva-se\b", r"\bassine\b", r"\bnewsletter\b",
        r"\bneste (artigo|post)\b", r"\bfique ligado\b", r"\bcontinue lendo\b", r"\bsiga-nos\b",
    ),
    "ko": (
        "감사", "고맙", "구독", "이 글에서", "이번 글에서", "계속 읽", "기대해 주세요",
        "많은 관심", "뉴스레터",
    ),
    "ja": (
        "ありがとう", "感謝", "購読", "この記事では", "本記事では", "お楽しみに", "続きを読む",
        "ニュースレター",
    ),
    "zh": (
        "感谢", "谢谢", "订阅", "本文", "在这篇文章中", "敬请期待", "继续阅读", "致谢",
    ),
    "vi": (
        r"\bcảm ơn\b", r"\bđăng ký\b", r"\btrong bài viết này\b", r"\bhãy theo dõi\b",
        r"\bđọc tiếp\b",
    ),
    "id": (
        r"\bterima kasih\b", r"\bberlangganan\b", r"\bdalam artikel ini\b", r"\bnantikan\b",
        r"\bbaca selengkapnya\b",
    ),
}
# fmt: on

# Phrases pointing at something a thread does not carry: a code block, a table, an image.
# fmt: off
POINTS_AT_UNSEEN: dict[str, tuple[str, ...]] = {
    "en": (
        r"\b(as )?(shown|seen|illustrated|listed|demonstrated) (below|above)\b", r"\bbelow\b",
        r"\blike so\b", r"\blike this\s*:", r"\bas follows\b", r"\bthe following\b",
        r"\bhere'?s (how|what|an? example|the code)\b",
        r"\bin the (image|chart|diagram|figure|graph|table|screenshot|video) (below|above)\b",
        r"^for (example|instance)\s*:?$",
        # A numbered figure's caption, or a sentence built on one: the image is not posted.
        r"^(figure|fig\.|table|listing|image|chart|diagram|screenshot) \d+[a-z]?\s*[:.]",
        r"\b(as (shown|seen|illustrated) in|see) (figure|fig\.|table|listing|image|chart) \d+",
    ),
    "de": (
        r"\bunten\b", r"\boben gezeigt\b", r"\bwie folgt\b", r"\bfolgende[nrs]?\b",
        r"\bim (bild|diagramm|screenshot|video)\b", r"\bso aus\s*:",
        r"^(abbildung|abb\.|tabelle) \d+\s*[:.]",
    ),
    "es": (
        r"\ba continuación\b", r"\bcomo se muestra\b", r"\b(el|la|los|las) siguientes?\b",
        r"\babajo\b", r"\ben la (imagen|figura|tabla|captura)\b",
    ),
    "fr": (
        r"\bci-dessous\b", r"\bci-dessus\b", r"\bcomme suit\b", r"\bsuivante?s?\b", r"\bvoici\b",
        r"\bsur l['’](image|illustration)\b",
    ),
    "pt": (
        r"\babaixo\b", r"\ba seguir\b", r"\bcomo mostrado\b", r"\bseguintes?\b",
        r"\bna (imagem|figura|tabela)\b",
    ),
    "ko": (
        "다음과 같", "아래", "다음 코드", "다음 예", "그림", "스크린샷", "위와 같이",
    ),
    "ja": (
        "以下の", "次の(ように|コード|例|表|図)", "下記", "下図", "上図", "スクリーンショット",
    ),
    "zh": (
        "如下", "以下", "下面", "下图", "下表", "上图", "截图",
    ),
    "vi": (
        r"\bnhư sau\b", r"\bdưới đây\b", r"\bsau đây\b", r"\bhình (dưới|bên)\b",
    ),
    "id": (
        r"\bberikut\b", r"\bdi bawah ini\b", r"\bseperti ini\s*:", r"\bgambar (di )?bawah\b",
    ),
}
# fmt: on

# A sentence whose point is a link the thread does not post.
# fmt: off
POINTS_AT_LINK: dict[str, tuple[str, ...]] = {
    "en": (
        r"^(please )?(see|check out|visit|read|refer to|head over to|browse|click)\b",
        r"^(for|to learn|to find out|to read) (more|further|the full|full|all the)\b",
        r"^(you can )?(find|learn|read) (out )?more\b", r"^more (info|information|details)\b",
        r"\b(here|this link|the link|(the|our) docs|(the|our) documentation)\s*[.!]?$",
        r"\b(the changelog|the announcement|the release notes)\s*[.!]?$",
        r"\bthe full (list|report|changelog)\s*[.!]?$",
        r"^you can (find|see|read|check)\b.*\b(in|at|on) (the|our)\b", r"\bclick here\b",
    ),
    "de": (
        r"^(siehe|schau|besuche|lies|weitere informationen|mehr dazu|mehr infos)\b",
        r"\bhier\s*[.!]?$", r"\b(in der|in unserer) dokumentation\s*[.!]?$",
        r"\b(klicken sie|klicke) hier\b", r"\bhier klicken\b",
    ),
    "es": (
        r"^(consulta|consulte|visita|lee|mira|para más (información|detalles))\b",
        r"\baquí\s*[.!]?$", r"\ben la documentación\s*[.!]?$", r"\b(haz|haga) clic aquí\b",
    ),
    "fr": (
        r"^(voir|voyez|consultez|visitez|lisez|pour plus d['’]informations)\b", r"\bici\s*[.!]?$",
        r"\bdans la documentation\s*[.!]?$", r"\bcliquez ici\b",
    ),
    "pt": (
        r"^(veja|confira|consulte|visite|leia|para mais (informações|detalhes))\b",
        r"\baqui\s*[.!]?$", r"\bna documentação\s*[.!]?$", r"\b(clique|clica) aqui\b",
    ),
    "ko": (
        "자세한 (내용|사항|정보)", "참고하세요", "참고하시기", "확인하세요", "확인하시기",
        "여기에서", "링크", "방문하세요",
    ),
    "ja": (
        "詳細は", "詳しくは", "参照", "こちら", "ご覧ください", "リンク",
    ),
    "zh": (
        "详情", "详细信息", "请参阅", "参见", "请查看", "点击", "链接",
    ),
    "vi": (
        r"^xem (thêm|chi tiết)\b", r"\btại đây\s*[.!]?$", r"\bchi tiết tại\b",
    ),
    "id": (
        r"^(lihat|kunjungi|baca)\b", r"\bdi sini\s*[.!]?$", r"\binformasi lebih lanjut\b",
    ),
}
# fmt: on

# Never a thread's lead: a byline, a bare date, a disclaimer.
# fmt: off
NOT_A_LEAD: dict[str, tuple[str, ...]] = {
    "en": (
        r"^(author|authors|published|updated|last updated)\b", r"\bdisclaimer\b",
        r"^(note|update|edit|tl;?dr)\s*:", r"\bviews (expressed|are my own)\b",
        r"\bopinions are my own\b", r"\b(this|the) post (is|was) (sponsored|written)\b",
    ),
    "de": (
        r"^(autor|veröffentlicht|aktualisiert)\b", r"\bhaftungsausschluss\b", r"^hinweis\s*:",
    ),
    "es": (
        r"^(autor|publicado|actualizado)\b", r"\bdescargo de responsabilidad\b", r"^nota\s*:",
    ),
    "fr": (
        r"^(auteur|publié|mis à jour)\b", r"\bavertissement\b", r"^note\s*:",
    ),
    "pt": (
        r"^(autor|publicado|atualizado)\b", r"\baviso legal\b", r"^nota\s*:",
    ),
    "ko": (
        "^(작성자|글쓴이|게시일|작성일)", "면책", r"^참고\s*:",
    ),
    "ja": (
        "^(著者|筆者|投稿日|更新日)", "免責", r"^注\s*[:：]",
    ),
    "zh": (
        "^(作者|发布于|更新于)", "免责声明", r"^注\s*[:：]",
    ),
    "vi": (
        r"^(tác giả|đăng bởi|cập nhật)\b", r"\bmiễn trừ trách nhiệm\b",
    ),
    "id": (
        r"^(penulis|diterbitkan|diperbarui)\b", r"\bpenafian\b", r"^catatan\s*:",
    ),
}
# fmt: on
# "By Jane Doe", "Von Max Muster und Erika": a byline is names after the word, nothing more
# (so "By default, …" and "Por defecto …" are sentences).
BYLINE = re.compile(
    r"^(?:[Bb]y|[Pp]osted by|[Ww]ritten by|[Vv]on|[Pp]or|[Pp]ar|[Oo]leh)\s+"
    r"(?:[A-ZÀ-Ý@][\w.'’@-]*(?:\s+|,\s*|\s+(?:and|und|y|et|e|dan|&)\s+)?){1,8}$"
)
# A sentence that is only a date (in any of the formats posts write under a title).
DATE_ONLY = re.compile(
    r"^\W*(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|"
    r"[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2}\.? [A-Za-zäéû]+\.? \d{4}|"
    r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\.\s*\d{1,2}\.\s*\d{1,2}\.?)\W*$"
)

# Headings of sections that are not for followers, whatever the language.
# fmt: off
CONTENTS_HEADINGS = (
    'contents', 'table of contents', 'toc', 'in this post', 'in this article', '目次', '목차',
    '目录',
    'inhalt', 'inhaltsverzeichnis', 'índice', 'contenido', 'contenidos', 'sommaire',
    'table des matières', 'conteúdo', 'sumário', 'mục lục', 'daftar isi',
)
# fmt: on
# fmt: off
CREDITS_HEADINGS = (
    "acknowledgements", "acknowledgments", "credits", "thanks", "thank you", "special thanks",
    "contributors", "danksagung", "danksagungen", "dank", "agradecimientos", "remerciements",
    "agradecimentos", "감사의 말", "감사의 글", "감사", "謝辞", "謝意", "致谢", "鸣谢",
    "lời cảm ơn", "ucapan terima kasih", "terima kasih",
)
# fmt: on
# fmt: off
REFERENCE_HEADINGS = (
    'references', 'footnotes', 'notes', 'sources', 'bibliography', 'further reading', 'see also',
    'related posts', 'related articles', 'related reading', 'links', 'useful links', 'resources',
    'fußnoten', 'anmerkungen', 'weiterführende links', 'siehe auch', 'notas', 'referencias',
    'lecturas adicionales', 'véase también', 'notes de bas de page', 'voir aussi',
    'pour aller plus loin', 'referências', 'leitura adicional', 'veja também', '각주', '참고',
    '참고 자료', '참고 문헌', '더 읽을거리', '脚注', '注', '参考', '参考文献', '参考リンク',
    '関連記事', '注释', '参考资料', '延伸阅读',
    '相关链接', 'tài liệu tham khảo', 'chú thích', 'đọc thêm', 'catatan kaki', 'referensi',
    'bacaan lebih lanjut',
)
# fmt: on


@cache
def _starts(language: str) -> re.Pattern[str]:
    words = LEANS_ON_PREVIOUS.get(language, LEANS_ON_PREVIOUS["en"])
    alternatives = "|".join(sorted((re.escape(word) for word in words), key=len, reverse=True))
    if language in UNSPACED:
        return re.compile(rf"^(?:{alternatives})")
    # A word, then a space, comma or the end: "This", "However,", but not "Thistle".
    return re.compile(rf"^(?:{alternatives})(?=[\s,;:]|$)")


@cache
def _any(table: str, language: str) -> re.Pattern[str]:
    lists = {
        "boilerplate": BOILERPLATE,
        "unseen": POINTS_AT_UNSEEN,
        "link": POINTS_AT_LINK,
        "not_lead": NOT_A_LEAD,
    }[table]
    patterns = lists.get(language, lists["en"])
    if language != "en":
        # Posts in any language quote English UI text and boilerplate.
        patterns = patterns + lists["en"]
    # Matched against casefolded text: a case-insensitive alternation is several times
    # slower, and every sentence of every post goes through these.
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


_QUOTES = "\"'“”‘’«»「」『』([{*_"


_CLOSING = "\"'”’»」』)]}*_"


def _clean(text: str) -> str:
    return text.strip().lstrip(_QUOTES).strip()


def _folded(text: str) -> str:
    return _clean(text).casefold()


def leans_on_previous(text: str, language: str) -> bool:
    """Whether ``text`` opens with a word that refers to the sentence before it."""
    return bool(_starts(language).match(_folded(text)))


def is_boilerplate(text: str, language: str) -> bool:
    return bool(_any("boilerplate", language).search(_folded(text)))


def points_at_unseen(text: str, language: str) -> bool:
    """Whether ``text`` points at something the thread cannot show (below, like so:)."""
    return bool(_any("unseen", language).search(_folded(text)))


def points_at_link(text: str, language: str) -> bool:
    """Whether ``text``'s point is a link the thread does not post ("See the docs.")."""
    # "(See the docs.)" ends like "See the docs.": a closing bracket or quote is not the end.
    return bool(_any("link", language).search(_folded(text).rstrip(_CLOSING)))


def not_a_lead(text: str, language: str) -> bool:
    """A byline, a date, a disclaimer: never a thread's first sentence."""
    cleaned = _clean(text)
    return bool(
        DATE_ONLY.match(cleaned)
        or BYLINE.match(cleaned)
        or _any("not_lead", language).search(cleaned.casefold())
    )


def _heading_key(heading: str) -> str:
    # "1. Contents", "📚 References:", "## Notes" → "contents", "references", "notes"
    return re.sub(r"^[\W\d_]+|[\W_]+$", "", heading.casefold()).strip()


def is_contents_heading(heading: str) -> bool:
    return _heading_key(heading) in CONTENTS_HEADINGS


def is_credits_heading(heading: str) -> bool:
    return _heading_key(heading) in CREDITS_HEADINGS


def is_reference_heading(heading: str) -> bool:
    return _heading_key(heading) in REFERENCE_HEADINGS


# Words too common to say what a sentence is about (the rankers' tokenizer drops them).
# fmt: off
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "a about after all also an and any are as at be been before but by can could did "
        "do does each for from get had has have he her here his how i if in into is it "
        "its just like made make many may more most much my new no not now of on one "
        "only or other our out over she should so some such than that the their them "
        "then there these they this those to too under up us use used using very was way "
        "we well were what when where which while who why will with would you your"
    ),
    "de": _words(
        "aber als an auch auf aus bei dann das dass dem den der des die du ein eine "
        "einem einen einer er es für haben hat ich ihr im in ist kann können man mehr "
        "mit nach nicht noch nur oder sehr sich sie sind so und unter von war waren wenn "
        "werden wie wir wird wurde zu zum zur über"
    ),
    "es": _words(
        "a al como con de del el en era es esta estas este esto estos fue hay la las le "
        "les lo los muy más o para pero por puede pueden que se ser sin sobre son su sus "
        "también un una unas unos y ya"
    ),
    "fr": _words(
        "au aussi aux avec ce ces cette comme dans de des du elle elles en est et il ils "
        "la le les mais ne nous on ou par pas peut plus pour que qui sa sans se ses son "
        "sont sur très un une vous à était être"
    ),
    "pt": _words(
        "a ao as com como da das de do dos e em era esta este foi isso mais mas muito na "
        "nas no nos o os ou para pode podem por que se sem ser seu seus sobre sua suas "
        "são também um uma umas uns é"
    ),
    "vi": _words(
        "cho các có cũng của khi không là một người như những này sẽ thì trong từ và với "
        "đã đó được để"
    ),
    "id": _words(
        "ada adalah akan atau bisa dalam dan dari dengan di ini itu juga karena ke oleh "
        "pada sebagai tidak untuk yang"
    ),
}
# fmt: on

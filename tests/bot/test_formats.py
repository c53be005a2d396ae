"""Reading uploaded transcript files: WebVTT, SubRip, plain text and JSON."""

from __future__ import annotations

import codecs
import itertools
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.transcripts import formats
from bot.transcripts.formats import TEXT_FORMATS, clean_text, detect_format, parse_transcript
from bot.transcripts.model import Segment, TranscriptError

QMSUM_VAL = Path(__file__).resolve().parents[3] / "shared" / "eval-data" / "qmsum" / "val"

VTT = """WEBVTT - Revisión semanal
Kind: captions
Language: es

NOTE Exportado desde Teams;
la nota sigue aquí.

STYLE
::cue { color: white }

1
00:00:01.000 --> 00:00:04.500 align:start position:10%
<v Ana Ruiz>Buenos días, ¿empezamos con la revisión?</v>

intro-2
00:00:05.000 --> 00:00:08.250
<v.loud Luis Peña>Sí, el diseño está <i>casi</i>
terminado &amp; listo.</v>

00:09.000 --> 00:12.000
Marta: La campaña <c.yellow>sale</c> el <00:00:10.500>lunes.

4
00:00:12.500 --> 00:00:13.000
<i> </i>

01:00:00.000 --> 01:00:02.000
Gracias a todos.
"""

VTT_SEGMENTS = [
    Segment("Ana Ruiz", 1.0, 4.5, "Buenos días, ¿empezamos con la revisión?"),
    Segment("Luis Peña", 5.0, 8.25, "Sí, el diseño está casi terminado & listo."),
    Segment("Marta", 9.0, 12.0, "La campaña sale el lunes."),
    Segment(None, 3600.0, 3602.0, "Gracias a todos."),
]

SRT = """1
00:00:01,000 --> 00:00:03,200
Ana: Hola, ¿qué tal?

2
00:00:03,500 --> 00:00:06,000
<i>Luis:</i> Bien, gracias.
Revisé el <b>presupuesto</b>.

3
00:00:06,000 --> 00:00:07,000 X1:100 X2:200 Y1:10 Y2:20
{\\an8}<font color="#ffff00">[música]</font>
"""

SRT_SEGMENTS = [
    Segment("Ana", 1.0, 3.2, "Hola, ¿qué tal?"),
    Segment("Luis", 3.5, 6.0, "Bien, gracias. Revisé el presupuesto."),
    Segment(None, 6.0, 7.0, "[música]"),
]

TXT_TIMED = """[00:00:05] Ana Ruiz: Buenos días a todos.
Hoy revisamos el calendario.

[00:00:12] Project Manager: Perfecto.
[00:01:02] SPEAKER_01: La entrega es el viernes.
"""

TXT_TIMED_SEGMENTS = [
    Segment("Ana Ruiz", 5.0, 12.0, "Buenos días a todos. Hoy revisamos el calendario."),
    Segment("Project Manager", 12.0, 62.0, "Perfecto."),
    # Last turn: five words at 150 words a minute.
    Segment("SPEAKER_01", 62.0, 64.0, "La entrega es el viernes."),
]

TXT_UNTIMED = """Notas de la reunión
Ana: Hola equipo, empezamos.

Luis: Vale.
Una línea más de Luis.
The plan is simple: we ship on Friday.
"""

TXT_UNTIMED_SEGMENTS = [
    # The title is nobody's speech; estimated at 150 words a minute: 3 and 14 words.
    Segment("Ana", 0.0, 1.2, "Hola equipo, empezamos."),
    Segment("Luis", 1.2, 6.8,
            "Vale. Una línea más de Luis. The plan is simple: we ship on Friday."),
]

WHISPER = {
    "task": "transcribe",
    "language": "spanish",
    "text": "Hola a todos. Qué tal.",
    "segments": [
        {"id": 1, "seek": 0, "start": "00:00:02.500", "end": "00:00:05.000",
         "text": " Qué   tal.", "speaker_label": "Luis", "tokens": [1, 2]},
        {"id": 0, "seek": 0, "start": 0.0, "end": 2.5, "text": " Hola a todos.",
         "speaker": "SPEAKER_00"},
        {"id": 2, "start": 5, "end": 5.5, "text": "   "},
        {"id": 3, "start": 6, "end": 7, "text": "Adiós.", "speaker": None,
         "speaker_name": "  Marta  Gil "},
    ],
}

WHISPER_SEGMENTS = [
    Segment("SPEAKER_00", 0.0, 2.5, "Hola a todos."),
    Segment("Luis", 2.5, 5.0, "Qué tal."),
    Segment("Marta Gil", 6.0, 7.0, "Adiós."),
]


def _bytes(text: str) -> bytes:
    return text.encode("utf-8")


# -- well-formed files --------------------------------------------------------------------------


@pytest.mark.parametrize("data, fmt, expected", [
    pytest.param(_bytes(VTT), "vtt", VTT_SEGMENTS, id="vtt"),
    pytest.param(codecs.BOM_UTF8 + _bytes(VTT.replace("\n", "\r\n")), "vtt", VTT_SEGMENTS,
                 id="vtt-bom-crlf"),
    pytest.param(_bytes(SRT), "srt", SRT_SEGMENTS, id="srt"),
    pytest.param(SRT.replace("\n", "\r\n").encode("cp1252"), "srt", SRT_SEGMENTS,
                 id="srt-cp1252"),
    pytest.param(SRT.encode("utf-16"), "srt", SRT_SEGMENTS, id="srt-utf16-bom"),
    pytest.param(_bytes(TXT_TIMED), "txt", TXT_TIMED_SEGMENTS, id="txt-timed"),
    pytest.param(_bytes(TXT_UNTIMED), "txt", TXT_UNTIMED_SEGMENTS, id="txt-untimed"),
    pytest.param(TXT_UNTIMED.encode("cp1252"), "txt", TXT_UNTIMED_SEGMENTS, id="txt-cp1252"),
    pytest.param(_bytes(json.dumps(WHISPER)), "json", WHISPER_SEGMENTS, id="json-whisper"),
    pytest.param(codecs.BOM_UTF8 + _bytes(json.dumps(WHISPER["segments"], ensure_ascii=False)),
                 "json", WHISPER_SEGMENTS, id="json-list-bom"),
])
def test_well_formed_files(data: bytes, fmt: str, expected: list[Segment]) -> None:
    assert parse_transcript(data, fmt) == expected


@pytest.mark.parametrize("line, expected", [
    ("[00:01:02] Ana: hola", Segment("Ana", 62.0, 63.0, "hola")),
    ("00:01:02 Ana: hola", Segment("Ana", 62.0, 63.0, "hola")),
    ("(1:02) Ana: hola", Segment("Ana", 62.0, 63.0, "hola")),
    ("[1:02:03.5] María de la Cruz: hola", Segment("María de la Cruz", 3723.5, 3724.5, "hola")),
    ("00:01:02 - Dr. Pérez: hola", Segment("Dr. Pérez", 62.0, 63.0, "hola")),
    # A bare time that opens a sentence is speech; a bracketed one is always a timestamp.
    ("10:30 works for me", Segment(None, 0.0, 1.6, "10:30 works for me")),
    ("[00:00:10] sin etiqueta", Segment(None, 10.0, 11.0, "sin etiqueta")),
    ("Ver https://example.com/a", Segment(None, 0.0, 1.0, "Ver https://example.com/a")),
    ("1234: número", Segment(None, 0.0, 1.0, "1234: número")),
    # Labels as notes apps write them: Markdown, the time after the name.
    ("**Ana:** hola", Segment("Ana", 0.0, 1.0, "hola")),
    ("**Ana**: hola", Segment("Ana", 0.0, 1.0, "hola")),
    ("Ana (00:00:45): hola", Segment("Ana", 45.0, 46.0, "hola")),
])
def test_txt_line_shapes(line: str, expected: Segment) -> None:
    assert parse_transcript(_bytes(line), "txt") == [expected]


def test_txt_label_alone_on_its_line_takes_the_following_lines() -> None:
    data = _bytes("Ana Ruiz:\nHola a todos.\n\n[00:00:30]\nLuis: Hola.")
    assert parse_transcript(data, "txt") == [
        Segment("Ana Ruiz", 0.0, 30.0, "Hola a todos."),
        Segment("Luis", 30.0, 31.0, "Hola."),
    ]


def test_otter_style_name_and_time_then_the_text() -> None:
    data = _bytes("Ana Ruiz  0:05\nWe decided to ship.\n\nMarco  1:10\nI will fix it.")
    assert parse_transcript(data, "txt") == [
        Segment("Ana Ruiz", 5.0, 70.0, "We decided to ship."),
        Segment("Marco", 70.0, 71.6, "I will fix it."),
    ]


def test_otters_own_labels_times_of_day_and_headings() -> None:
    otter = _bytes("Speaker 1  0:05\nLet us start.\n\nSpeaker 2  0:32\nI will send it.\n\n"
                   "marco  0:50\nI can do the header.")
    assert [(s.speaker, s.start) for s in parse_transcript(otter, "txt")] == [
        ("Speaker 1", 5.0), ("Speaker 2", 32.0), ("Marco", 50.0)]
    # "10:02 AM" is a time of day: the meeting starts at the first one.
    of_day = _bytes("10:02 AM Marta: Good morning.\n10:03 AM Luis: I will send the draft.\n"
                    "[10:04:05 AM] Ana: We decided to publish on Tuesdays.")
    assert [(s.speaker, s.start) for s in parse_transcript(of_day, "txt")] == [
        ("Marta", 0.0), ("Luis", 60.0), ("Ana", 125.0)]
    # Google Meet: a title, then times alone on their lines above who spoke.
    meet = _bytes("Weekly sync - Transcript\n00:00:00\n\nAna: Hi, can you hear me?\nLuis: Yes.\n"
                  "00:01:00\nAna: I will start the mockups on Monday.\n")
    assert [(s.speaker, s.start, s.text) for s in parse_transcript(meet, "txt")] == [
        ("Ana", 0.0, "Hi, can you hear me?"), ("Luis", 2.0, "Yes."),
        ("Ana", 60.0, "I will start the mockups on Monday.")]
    # So is a 24-hour one the file starts with: no file starts four hours in.
    bracketed = _bytes("[10:02:11] Ana: Welcome.\n[10:03:40] Luis: I will fix the footer.")
    assert [(s.speaker, s.start) for s in parse_transcript(bracketed, "txt")] == [
        ("Ana", 0.0), ("Luis", 89.0)]
    # What heads a file of notes is nobody's speech.
    headed = _bytes("Meeting: Weekly sync\nFecha: 24/11/2026\nJosé María: Hola a todos.\n"
                    "Ana: Hola.")
    assert [s.speaker for s in parse_transcript(headed, "txt")] == ["José María", "Ana"]


def test_a_cue_of_dialogue_is_a_turn_a_line() -> None:
    data = _bytes("WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n- Marta: Hola equipo.\n"
                  "- Luis: Hola.\n")
    assert parse_transcript(data, "vtt") == [Segment("Marta", 1.0, 3.0, "Hola equipo."),
                                             Segment("Luis", 3.0, 5.0, "Hola.")]


def test_segments_are_sorted_by_start() -> None:
    data = _bytes("[00:00:20] Ana: después\n[00:00:05] Luis: antes")
    assert [(s.speaker, s.start) for s in parse_transcript(data, "txt")] == [
        ("Luis", 5.0), ("Ana", 20.0)]


def test_json_without_times_gets_estimated_times() -> None:
    data = _bytes(json.dumps([{"name": "Ana", "text": "uno dos tres cuatro cinco"},
                              {"text": "seis"}]))
    assert parse_transcript(data, "json") == [
        Segment("Ana", 0.0, 2.0, "uno dos tres cuatro cinco"),
        Segment(None, 2.0, 3.0, "seis"),
    ]


def test_qmsum_style_json() -> None:
    data = _bytes(json.dumps({"meeting_transcripts": [
        {"speaker": "Grad E", "content": "I guess {disfmarker} we 're on ."},
        {"speaker": "PhD C", "content": "{vocalsound} {pause}"},
        {"speaker": "Professor B", "content": "OK {gap} {comment} .  {nonvocalsound}"},
    ]}))
    assert parse_transcript(data, "json") == [
        Segment("Grad E", 0.0, 2.4, "I guess we 're on ."),
        Segment("Professor B", 2.4, 3.4, "OK ."),
    ]


def test_real_qmsum_meeting() -> None:
    if not QMSUM_VAL.is_dir():
        pytest.skip(f"no QMSum data at {QMSUM_VAL}")
    path = sorted(QMSUM_VAL.glob("*.json"))[0]
    data = path.read_bytes()
    turns = json.loads(data)["meeting_transcripts"]
    token = re.compile(r"\{(?:disfmarker|vocalsound|nonvocalsound|pause|gap|comment)\}")
    expected = [" ".join(token.sub(" ", turn["content"]).split()) for turn in turns]
    expected = [text for text in expected if text]

    segments = parse_transcript(data, detect_format(path.name, data))

    assert len(segments) == len(expected)
    assert [segment.text for segment in segments] == expected
    assert not any("{" in segment.text for segment in segments)
    assert all(segment.speaker for segment in segments)
    assert all(b.start >= a.end for a, b in itertools.pairwise(segments))


def test_clean_text() -> None:
    assert clean_text("<i>Hola</i>,\n  <c.yellow>equipo</c> <00:00:01.000>ya") == "Hola, equipo ya"
    assert clean_text('<font color="#fff">a < b</font> <3') == "a < b <3"
    assert clean_text("  \t ") == ""


# -- detection ----------------------------------------------------------------------------------


@pytest.mark.parametrize("filename, expected", [
    ("reunión.vtt", "vtt"), ("CAPTIONS.VTT", "vtt"), ("a/b/c.srt", "srt"), ("notes.txt", "txt"),
    ("notes.md", "txt"), ("notes.text", "txt"), ("whisper.json", "json"),
])
def test_detect_by_extension(filename: str, expected: str) -> None:
    # A subtitle or JSON extension wins even over content that looks like another format.
    misleading = b"[]" if expected == "vtt" else b"WEBVTT\n"
    if expected == "txt":  # text is read by its content: subtitles are often saved as .txt
        assert detect_format(filename, misleading) == "vtt"
        assert detect_format(filename, _bytes(SRT)) == "srt"
        misleading = b"Ana: hola"
    assert detect_format(filename, misleading) == expected


@pytest.mark.parametrize("data, expected", [
    (_bytes(VTT), "vtt"),
    (codecs.BOM_UTF8 + b"WEBVTT\r\n\r\n", "vtt"),
    (_bytes(SRT), "srt"),
    (_bytes("\n" + SRT.replace("\n", "\r\n")), "srt"),
    (_bytes(json.dumps(WHISPER)), "json"),
    (b'  [{"text": "hola"}]', "json"),
    (_bytes(TXT_TIMED), "txt"),
    (_bytes(TXT_UNTIMED), "txt"),
    (b"(1:02) Ana: hola", "txt"),
    (b"", "txt"),
    (b"\x00\x01binary", "txt"),
])
def test_detect_by_content(data: bytes, expected: str) -> None:
    assert detect_format("upload", data) == expected
    assert detect_format("upload.bin", data) == expected


# -- malformed files ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, text, expected", [
    ("vtt", "WEBVT\n\n00:00:01.000 --> 00:00:02.000\nHola\n", "Line 1: a WebVTT file"),
    ("vtt", "\nWEBVTT\n", "Line 1: a WebVTT file"),
    ("vtt", "WEBVTT\n00:00:01.000 --> 00:00:02.000\nHola\n", "Line 2: leave a blank line"),
    ("vtt", "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nHola\n",
     "Line 3: `00:00:01,000 --> 00:00:02,000` is not a cue time like 00:01:02.500"),
    ("vtt", "WEBVTT\n\nid\n00:00:01.000 -> 00:00:02.000\nHola\n", "Line 4: `00:00:01.000 ->"),
    ("vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHola\n\nHuérfana\n", "Line 6: `Huérfana`"),
    ("vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHola\n\n00:01:60.000 --> 00:02:00.000\n",
     "Line 6:"),
    ("vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nHola\n",
     "Line 3: the cue ends before it starts"),
    ("vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHola\n00:00:03.000 --> 00:00:04.000\n",
     "Line 5: a new cue starts here"),
    ("vtt", "WEBVTT\n\nNOTE uno\n\nNOTE\ndos\n", "no speech"),
    ("vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<i></i>\n", "no speech"),
    ("srt", "uno\n00:00:01,000 --> 00:00:02,000\nHola\n", "Line 1: expected a cue number"),
    ("srt", "1\n00:00:01 --> 00:00:02\nHola\n",
     "Line 2: `00:00:01 --> 00:00:02` is not a cue time like 00:01:02,500"),
    ("srt", "1\n00:00:01,000 --> 00:00:02,000\nHola\n\n2\n", "Line 5: `2` is not a cue time"),
    ("srt", "1\n00:00:01,000 --> 00:00:02,000\nHola\n\n2\n00:00:09,000 --> 00:00:08,000\nX\n",
     "Line 6: the cue ends before it starts"),
    ("srt", "1\n00:00:01,000 --> 00:00:02,000\nHola\n2\n00:00:03,000 --> 00:00:04,000\nX\n",
     "Line 5: a new cue starts here"),
    ("srt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHola\n", "Line 1: expected a cue number"),
    ("json", '{"segments": [\n  {"text": "a",}\n]}', "Line 2: this is not valid JSON"),
    ("json", '"hola"', "must be a list of segments"),
    ("json", '{"results": []}', "must be a list of segments"),
    ("json", '{"segments": {"text": "a"}}', "must be a list of segments"),
    ("json", "[1]", "JSON `[0]`: expected an object with `text`"),
    ("json", '[{"text": "a", "start": 0, "end": 1}, {"start": 1, "end": 2}]',
     "JSON `[1]`: `text` is missing"),
    ("json", '{"segments": [{"text": 5, "start": 0, "end": 1}]}',
     "JSON `segments[0]`: `text` is missing or is not text"),
    ("json", '[{"text": "a", "start": 0, "end": 1}, {"text": "b", "start": 3, "end": 2}]',
     "JSON `[1]`: it ends (2.0) before it starts (3.0)"),
    ("json", '{"segments": [{"text": "a", "start": "soon", "end": 1}]}',
     "JSON `segments[0]`: `start` must be seconds"),
    ("json", '[{"text": "a", "start": -1, "end": 1}]', "JSON `[0]`: `start` must be seconds"),
    ("json", '[{"text": "a", "start": NaN, "end": 1}]', "JSON `[0]`: `start` must be seconds"),
    ("json", '[{"text": "a", "start": true, "end": 1}]', "JSON `[0]`: `start` must be seconds"),
    ("json", '[{"text": "a", "start": 0, "end": 1}, {"text": "b", "start": 2}]',
     "JSON `[1]`: `end` is missing"),
    ("json", '[{"text": "a", "speaker": 3}]', "JSON `[0]`: `speaker` must be text"),
    ("json", '{"meeting_transcripts": [{"speaker": "A"}]}',
     "JSON `meeting_transcripts[0]`: `content` is missing"),
    ("json", '{"meeting_transcripts": ["hola"]}',
     "JSON `meeting_transcripts[0]`: expected an object with `content`"),
    ("json", "[]", "no speech"),
    ("json", '[{"text": " "}]', "no speech"),
    ("txt", "[00:00:05] Ana: Hello.\n[0x:10] Bob: broken", "Line 2: `[0x:10]` is not a time"),
])
def test_malformed_files(fmt: str, text: str, expected: str) -> None:
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(_bytes(text), fmt)
    assert expected in str(caught.value)


def test_error_carries_msgid_and_values() -> None:
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(b"WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nHola\n", "vtt")
    assert caught.value.message.startswith("Line {line}: `{text}` is not a cue time")
    assert caught.value.values == {"line": 3, "text": "00:00:01,000 --> 00:00:02,000"}


def test_quoted_line_is_shortened_and_keeps_its_code_span() -> None:
    line = "00:00:01 `" + "x" * 100
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(_bytes(f"1\n{line}\n"), "srt")
    quoted = caught.value.values["text"]
    assert len(quoted) == 60 and "`" not in quoted and quoted.endswith("...")


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("data, expected", [
    (b"ID3\x04\x00\x00\x00\x00\x00#TSSE\x00\x00\x00\x0f", "binary"),
    (b"\x1aE\xdf\xa3\x9fB\x86\x81\x01", "binary"),  # cp1252 cannot decode 0x81
    (codecs.BOM_UTF16_LE + b"\x00", "binary"),  # UTF-16 cut in half
    (b"", "empty"),
    (b"  \r\n\n\t", "empty"),
    (codecs.BOM_UTF8, "empty"),
])
def test_unreadable_files(fmt: str, data: bytes, expected: str) -> None:
    with pytest.raises(TranscriptError, match=expected):
        parse_transcript(data, fmt)


@pytest.mark.parametrize("fmt, template", [
    ("vtt", "WEBVTT\n\n" + "".join(f"00:00:0{i}.000 --> 00:00:0{i}.500\nx\n\n" for i in range(4))),
    ("srt", "".join(f"{i}\n00:00:0{i},000 --> 00:00:0{i},500\nx\n\n" for i in range(4))),
    ("txt", "A: x\nB: y\nA: z\nB: w\n"),
    ("json", json.dumps([{"text": str(i)} for i in range(4)])),
])
def test_too_many_segments(fmt: str, template: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_SEGMENTS", 3)
    with pytest.raises(TranscriptError, match="more than 3 segments") as caught:
        parse_transcript(_bytes(template), fmt)
    assert caught.value.values == {"limit": 3}


def test_unknown_format_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown transcript format") as caught:
        parse_transcript(b"hola", "docx")
    assert not isinstance(caught.value, TranscriptError)


# -- nothing but segments or TranscriptError ---------------------------------------------------

_PIECES = [
    "WEBVTT", "NOTE", "STYLE", "1", "id", "00:00:01.000 --> 00:00:02.000",
    "00:03.000 --> 00:01.000", "00:00:01,000 --> 00:00:02,000 X1:1", "<v Ana>hola</v>", "<i>",
    "Ana Ruiz: hola", "[00:01:02]",
    "(1:02) Luis:", "10:30 ok", "{disfmarker}", "&amp;", "", " ", "-->", "[", "]", "{", "}",
    '{"segments": [', '{"meeting_transcripts": [', '{"text": "a", "start": 1, "end": 0}',
    '{"speaker": "A", "content": "{vocalsound}"}', '"start": "99:99"', "1e999", ",", "NaN",
    "\ufeff", "\r", "é", "\x00",
]


@settings(max_examples=200, deadline=None)
@given(data=st.one_of(
    st.binary(max_size=512),
    st.lists(st.sampled_from(_PIECES), max_size=30).map(lambda parts: "\n".join(parts).encode()),
    st.text(max_size=300).map(lambda text: text.encode("utf-8", "surrogatepass")),
), fmt=st.sampled_from(TEXT_FORMATS))
def test_any_bytes_give_segments_or_transcript_error(data: bytes, fmt: str) -> None:
    try:
        segments = parse_transcript(data, fmt)
    except TranscriptError as error:
        assert error.message and str(error)
        return
    assert segments and all(isinstance(segment, Segment) for segment in segments)
    assert all(segment.text and segment.end >= segment.start >= 0 for segment in segments)
    assert [segment.start for segment in segments] == sorted(s.start for s in segments)
    assert detect_format("upload", data) in TEXT_FORMATS


def test_a_chat_export_with_lowercase_logins_names_its_speakers() -> None:
    chat = (b"[00:00:05] root: Good morning all\n[00:00:20] luis: I will update the budget\n"
            b"[00:00:45] root: great, thanks\n[00:01:00] luis: ok\n")
    assert [s.speaker for s in parse_transcript(chat, "txt")] == ["root", "luis", "root", "luis"]
    short = b"ana: footer review now\nluis: ok\nana: we drop the icons\nluis: I fix the footer\n"
    assert [s.speaker for s in parse_transcript(short, "txt")] == ["ana", "luis", "ana", "luis"]
    # A lowercase word before a colon once is still a sentence, not a speaker.
    notes = b"Ana: hello\nnote: this is a note\nBea: sure\n"
    assert [s.speaker for s in parse_transcript(notes, "txt")] == ["Ana", "Bea"]

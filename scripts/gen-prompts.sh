#!/usr/bin/env bash
# gen-prompts.sh — generate the hotline's voice prompts from the prompt texts of a configuration.
#
#   scripts/gen-prompts.sh [config.yaml]        (default: the shipped sample, config/sample.yaml)
#
# For every language and prompt key it writes asterisk-config/sounds/<lang>/hotline/<key>.wav:
# 8 kHz, 16-bit, mono PCM WAV, the format Asterisk plays without transcoding. Asterisk finds it as
# sound:<lang>/hotline/<key> (the media URI config.Prompt returns) or as sound:hotline/<key> on a
# channel whose language is <lang>. The ARI simulator reads the same files to time its playbacks.
#
# Speech comes from espeak-ng (voices: en → en-029 Caribbean English, es → es-419 Latin American
# Spanish; override with VOICE_<lang>=name, e.g. VOICE_en=en-us), resampled by sox.
# The language menu ("For English, press 1. Para español, oprima 2.") is spoken sentence by sentence,
# each sentence in the voice of the language in that position, when it has one sentence per language.
#
# Re-runnable: a file is rewritten only when its text or voice changed (a .txt beside each .wav
# records what it says); files of keys no longer configured are removed. Prompts whose media in the
# configuration is not the default (a studio recording) are left alone.
# Environment: OUT (default asterisk-config/sounds), RATE (default 180 words a minute), FORCE=1.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/asterisk-config/sounds}
rate=${RATE:-180}
config=${1:-}

missing=()
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
command -v sox >/dev/null || missing+=(sox)
command -v go >/dev/null || missing+=("go (https://go.dev/dl/, to read the configuration)")
if ((${#missing[@]})); then
	echo "gen-prompts.sh: missing: ${missing[*]}" >&2
	echo "  On Debian/Ubuntu: sudo apt-get install espeak-ng sox" >&2
	exit 1
fi

voice_for() {
	local var="VOICE_$1"
	if [[ -n ${!var:-} ]]; then echo "${!var}"; return; fi
	case $1 in
	en) echo en-029 ;;
	es) echo es-419 ;;
	*) echo "$1" ;;
	esac
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

args=()
[[ -n $config ]] && args=(-config "$config")
(cd "$root" && go run ./scripts/promptlist "${args[@]}") >"$tmp/list.tsv"
langs=$(cut -f1 "$tmp/list.tsv" | awk '!seen[$0]++')
read -r -a lang_order <<<"$(echo $langs)"

# speak <voice> <text> <out.wav>: one utterance at 8 kHz 16-bit mono.
speak() {
	espeak-ng -v "$1" -s "$rate" -w "$tmp/raw.wav" -- "$2"
	sox "$tmp/raw.wav" -r 8000 -b 16 -c 1 "$3" silence -l 1 0.02 0.5% -1 0.25 0.5% pad 0.05 0.05 norm -3
}

made=0 kept=0
declare -A want=()
while IFS=$'\t' read -r lang key file text; do
	[[ $file == - ]] && continue
	want["$file"]=1
	dest="$out/$file"
	voice=$(voice_for "$lang")
	stamp="voice=$voice rate=$rate fx=4"$'\n'"$text"
	if [[ -z ${FORCE:-} && -f $dest && -f ${dest%.wav}.txt && $(cat "${dest%.wav}.txt") == "$stamp" ]]; then
		kept=$((kept + 1))
		continue
	fi
	mkdir -p "$(dirname "$dest")"
	# Split the language menu into one sentence per language when it has exactly that many.
	mapfile -t sentences < <(printf '%s\n' "$text" | sed 's/\([.!?]\) \+/\1\n/g')
	if [[ $key == language_menu && ${#sentences[@]} -eq ${#lang_order[@]} && ${#lang_order[@]} -gt 1 ]]; then
		parts=()
		for i in "${!sentences[@]}"; do
			speak "$(voice_for "${lang_order[$i]}")" "${sentences[$i]}" "$tmp/part$i.wav"
			parts+=("$tmp/part$i.wav")
		done
		sox "${parts[@]}" "$dest"
	else
		speak "$voice" "$text" "$dest"
	fi
	printf '%s' "$stamp" >"${dest%.wav}.txt"
	made=$((made + 1))
done <"$tmp/list.tsv"

# Remove files of keys no longer configured.
removed=0
for lang in "${lang_order[@]}"; do
	[[ -d $out/$lang/hotline ]] || continue
	for f in "$out/$lang/hotline"/*.wav; do
		[[ -e $f ]] || continue
		rel=${f#"$out/"}
		if [[ -z ${want[$rel]:-} ]]; then
			rm -f "$f" "${f%.wav}.txt"
			removed=$((removed + 1))
		fi
	done
done

total=$(du -cb "$out"/*/hotline/*.wav 2>/dev/null | tail -1 | cut -f1)
echo "gen-prompts.sh: $made generated, $kept unchanged, $removed removed; $(ls "$out"/*/hotline/*.wav | wc -l) files, $((total / 1024)) KiB in $out"

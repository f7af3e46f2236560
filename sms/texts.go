package sms

import (
	"fmt"
	"strings"
	"time"

	"github.com/publicservice/hotline/config"
)

// Texts are the messages in each language. Unknown languages use English.
type texts struct {
	ack, resolved, status, notFound, help, stopped, started, info, none string
	// days, day (%d) and sameDay say a processing time; "" keeps the
	// published processing_time (written in the first language).
	days, day, sameDay string
	kinds              map[string]string
	statuses           map[string]string
}

var lang = map[string]texts{
	"en": {
		ack:      "%s: we received your %s, reference %s. We will reply by %s. To check it, text STATUS %s. Reply STOP to stop these messages.",
		resolved: "%s: your %s %s has been resolved. Thank you for telling us. If you are not satisfied, call the hotline and quote %s.",
		status:   "%s: %s %s is %s. Reply due by %s.",
		notFound: "%s: we found no ticket %s. Check the reference (like C-2026-004217) and text STATUS and the reference.",
		help:     "%s: text STATUS and your reference to check a ticket, COMPLIMENT and your message to thank a team, or your complaint to make one. Reply STOP to stop messages.",
		stopped:  "%s: you will receive no more messages. Reply START to receive them again.",
		started:  "%s: you will receive messages again. Reply STOP to stop them.",
		info:     "%s. Hours: %s. Address: %s.%s Web: %s",
		none:     "none",
		kinds:    map[string]string{"complaint": "complaint", "compliment": "compliment", "information": "request"},
		statuses: map[string]string{"new": "received", "acknowledged": "acknowledged", "in_progress": "in progress",
			"waiting_on_customer": "waiting for information from you", "resolved": "resolved", "closed": "closed", "reopened": "reopened"},
	},
	"es": {
		ack:      "%s: recibimos su %s, referencia %s. Le responderemos antes del %s. Para consultarla, envíe STATUS %s. Responda STOP para no recibir mensajes.",
		resolved: "%s: su %s %s ha sido resuelta. Gracias por informarnos. Si no está satisfecho, llame a la línea y cite %s.",
		status:   "%s: %s %s está %s. Respuesta prevista antes del %s.",
		notFound: "%s: no encontramos el caso %s. Revise la referencia (como C-2026-004217) y envíe STATUS y la referencia.",
		help:     "%s: envíe STATUS y su referencia para consultar un caso, COMPLIMENT y su mensaje para felicitar, o su queja para presentarla. Responda STOP para no recibir mensajes.",
		stopped:  "%s: no recibirá más mensajes. Responda START para recibirlos de nuevo.",
		started:  "%s: recibirá mensajes de nuevo. Responda STOP para dejar de recibirlos.",
		info:     "%s. Horario: %s. Dirección: %s.%s Web: %s",
		none:     "ninguno",
		days:     "%d días hábiles",
		day:      "%d día hábil",
		sameDay:  "el mismo día",
		kinds:    map[string]string{"complaint": "queja", "compliment": "felicitación", "information": "solicitud"},
		statuses: map[string]string{"new": "recibido", "acknowledged": "con acuse de recibo", "in_progress": "en trámite",
			"waiting_on_customer": "en espera de información suya", "resolved": "resuelto", "closed": "cerrado", "reopened": "reabierto"},
	},
}

func textsOf(l string) texts {
	if t, ok := lang[l]; ok {
		return t
	}
	return lang["en"]
}

func day(t time.Time, l string) string {
	if l == "es" {
		months := []string{"", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}
		return fmt.Sprintf("%d de %s de %d", t.Day(), months[t.Month()], t.Year())
	}
	return t.Format("2 Jan 2006")
}

// Acknowledgement is the SMS sent when a ticket is created.
func Acknowledgement(hotlineName, language, kind, ref string, replyBy time.Time) string {
	x := textsOf(language)
	return fmt.Sprintf(x.ack, hotlineName, x.kinds[kind], ref, day(replyBy, language), ref)
}

// Resolution is the SMS sent when a ticket is resolved.
func Resolution(hotlineName, language, kind, ref string) string {
	x := textsOf(language)
	return fmt.Sprintf(x.resolved, hotlineName, x.kinds[kind], ref, ref)
}

// StatusReply answers "STATUS <reference>".
func StatusReply(hotlineName, language, kind, ref, status string, due time.Time) string {
	x := textsOf(language)
	return fmt.Sprintf(x.status, hotlineName, x.kinds[kind], ref, x.statuses[status], day(due, language))
}

// NotFound answers a STATUS with an unknown reference.
func NotFound(hotlineName, language, ref string) string {
	return fmt.Sprintf(textsOf(language).notFound, hotlineName, ref)
}

// Help answers HELP and empty messages.
func Help(hotlineName, language string) string {
	return fmt.Sprintf(textsOf(language).help, hotlineName)
}

// Stopped confirms STOP.
func Stopped(hotlineName, language string) string {
	return fmt.Sprintf(textsOf(language).stopped, hotlineName)
}

// Started confirms START.
func Started(hotlineName, language string) string {
	return fmt.Sprintf(textsOf(language).started, hotlineName)
}

// DepartmentInfo is a department's information from the service inventory,
// in language: its name, hours, address, each service's processing time and
// documents, and its web link.
func DepartmentInfo(cfg *config.Config, d *config.Department, language string) string {
	x := textsOf(language)
	var svc strings.Builder
	for _, s := range d.Services {
		docs := strings.Join(s.DocumentsIn(language, cfg.Languages), ", ")
		if docs == "" {
			docs = x.none
		}
		fmt.Fprintf(&svc, " %s: %s (%s).", s.ServiceName(language), x.processing(&s), docs)
	}
	addr := d.Address[language]
	if addr == "" {
		addr = d.Address[cfg.DefaultLanguage()]
	}
	link := d.WebLink
	if link == "" && len(d.Services) > 0 {
		link = d.Services[0].WebLink
	}
	hours := strings.Join(d.Hours, "; ")
	return fmt.Sprintf(x.info, d.Name(language), hours, addr, svc.String(), link)
}

// processing is a service's processing time in the texts' language: the
// published processing_time, or, in another language than the one it is
// written in, the number of working days (or "same day") said in it.
func (x texts) processing(s *config.Service) string {
	switch {
	case x.days == "":
		return s.ProcessingTime
	case s.ProcessingDays == 1:
		return fmt.Sprintf(x.day, 1)
	case s.ProcessingDays > 1:
		return fmt.Sprintf(x.days, s.ProcessingDays)
	case s.ProcessingPrompt == config.PromptSameDay:
		return x.sameDay
	}
	return s.ProcessingTime
}

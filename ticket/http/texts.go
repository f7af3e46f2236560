package tickethttp

// formText is the form's wording in one language: plain language, short
// sentences (Belize policy Appendix B: documents in plain language).
type formText struct {
	Lang, Title, Intro, OtherLang, OtherLangName, ErrorsTitle                     string
	Like, Compliment, Complaint, Information, WhatCompliment, WhatComplaint       string
	MedicalWarning, When, Date, Time, Where, Phone, Counter, Online, Other        string
	PhoneFrom, CounterLocation, OtherDetails, Department, Service, NotSure        string
	Outcome, Contact, ContactYes, ContactNo, ContactBy, ByPhone, ByEmail          string
	Details, Name, Email, ContactNumber, PrivacyTitle, Privacy, PrivacyAccept     string
	Submit, Required, Optional, ThanksTitle, Thanks, YourRef, KeepRef             string
	CheckBy, OtherOptions, OtherPhone, OtherPerson, OtherMail, DateHint, TimeHint string
}

var formTexts = map[string]formText{
	"en": {
		Lang: "en", Title: "Complaints and compliments", OtherLang: "es", OtherLangName: "Español",
		Intro:       "Your feedback helps the Government deliver quality services. Fields marked * are required.",
		ErrorsTitle: "Please correct this:",
		Like:        "I would like to *", Compliment: "Give a compliment", Complaint: "Make a complaint", Information: "Ask for information",
		WhatCompliment: "Please give as much detail as you can (who, what, where, when, why) so we can pass on your compliment.",
		WhatComplaint:  "What happened? * Please give as much detail as you can (who, what, where, when, why) so we can properly address it.",
		MedicalWarning: "Do not send school or medical information through this form (medical privacy).",
		When:           "When did it happen?", Date: "Date", Time: "Time (approximately)",
		DateHint: "For example 2026-03-04", TimeHint: "For example 14:30",
		Where: "Where did it happen?", Phone: "Over the phone", Counter: "At a counter", Online: "Online", Other: "Other",
		PhoneFrom:       "If over the phone: what phone number were you calling from?",
		CounterLocation: "If at a counter: what is the address or location of the counter?",
		OtherDetails:    "If other: please give some more details.",
		Department:      "What department does it relate to (if applicable)?", Service: "What service does it relate to (if applicable)?",
		NotSure: "Not sure", Outcome: "What outcome are you expecting?",
		Contact: "Do you want to be told the result, or contacted if we need more information? *", ContactYes: "Yes, I want to be contacted",
		ContactNo: "No, I don't want to be contacted", ContactBy: "How should we contact you?", ByPhone: "By phone or text message (SMS)",
		ByEmail: "By e-mail", Details: "Your details", Name: "Name", Email: "E-mail", ContactNumber: "Contact number",
		PrivacyTitle:  "Privacy and your personal information",
		Privacy:       "We will only use this information to resolve your complaint. We manage your personal information in line with the law on information privacy, and remove it after a retention period.",
		PrivacyAccept: "I have read the privacy notice *", Submit: "Send", Required: "required", Optional: "optional",
		ThanksTitle: "Thank you", Thanks: "We have received your %s.", YourRef: "Your reference is",
		KeepRef:      "Keep it: you will need it if you contact us about this.",
		CheckBy:      "To check it, call the hotline and choose “check a ticket”, or text STATUS and the reference.",
		OtherOptions: "Other ways to give feedback", OtherPhone: "Phone: the hotline", OtherPerson: "In person: visit one of our counters",
		OtherMail: "Mail: write to the department you wish to deal with",
	},
	"es": {
		Lang: "es", Title: "Quejas y felicitaciones", OtherLang: "en", OtherLangName: "English",
		Intro:       "Su opinión ayuda al Gobierno a dar servicios de calidad. Los campos marcados con * son obligatorios.",
		ErrorsTitle: "Por favor corrija esto:",
		Like:        "Quiero *", Compliment: "Dar una felicitación", Complaint: "Presentar una queja", Information: "Pedir información",
		WhatCompliment: "Dé todos los detalles que pueda (quién, qué, dónde, cuándo, por qué) para que podamos transmitir su felicitación.",
		WhatComplaint:  "¿Qué pasó? * Dé todos los detalles que pueda (quién, qué, dónde, cuándo, por qué) para que podamos atenderla bien.",
		MedicalWarning: "No envíe información escolar ni médica por este formulario (privacidad médica).",
		When:           "¿Cuándo pasó?", Date: "Fecha", Time: "Hora (aproximada)",
		DateHint: "Por ejemplo 2026-03-04", TimeHint: "Por ejemplo 14:30",
		Where: "¿Dónde pasó?", Phone: "Por teléfono", Counter: "En una ventanilla", Online: "En línea", Other: "Otro",
		PhoneFrom:       "Si fue por teléfono: ¿desde qué número llamaba?",
		CounterLocation: "Si fue en una ventanilla: ¿cuál es la dirección o el lugar de la ventanilla?",
		OtherDetails:    "Si fue en otro lugar: dé más detalles.",
		Department:      "¿Con qué departamento tiene que ver (si aplica)?", Service: "¿Con qué servicio tiene que ver (si aplica)?",
		NotSure: "No sé", Outcome: "¿Qué resultado espera?",
		Contact: "¿Quiere que le informemos del resultado o le contactemos si necesitamos más información? *", ContactYes: "Sí, quiero que me contacten",
		ContactNo: "No, no quiero que me contacten", ContactBy: "¿Cómo le contactamos?", ByPhone: "Por teléfono o mensaje de texto (SMS)",
		ByEmail: "Por correo electrónico", Details: "Sus datos", Name: "Nombre", Email: "Correo electrónico", ContactNumber: "Número de contacto",
		PrivacyTitle:  "Privacidad y sus datos personales",
		Privacy:       "Solo usaremos esta información para resolver su queja. Tratamos sus datos personales según la ley de privacidad de la información y los borramos tras un plazo de conservación.",
		PrivacyAccept: "He leído el aviso de privacidad *", Submit: "Enviar", Required: "obligatorio", Optional: "opcional",
		ThanksTitle: "Gracias", Thanks: "Hemos recibido su %s.", YourRef: "Su referencia es",
		KeepRef:      "Guárdela: la necesitará si nos contacta sobre esto.",
		CheckBy:      "Para consultarla, llame a la línea y elija “consultar un caso”, o envíe STATUS y la referencia por SMS.",
		OtherOptions: "Otras formas de opinar", OtherPhone: "Teléfono: la línea de atención", OtherPerson: "En persona: visite una de nuestras ventanillas",
		OtherMail: "Correo: escriba al departamento con el que quiere tratar",
	},
}

// kindNames name a ticket kind in a sentence ("We have received your ...").
var kindNames = map[string]map[string]string{
	"en": {"complaint": "complaint", "compliment": "compliment", "information": "request"},
	"es": {"complaint": "queja", "compliment": "felicitación", "information": "solicitud"},
}

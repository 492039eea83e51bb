Console.WriteLine("pipeline-load: see README");
return 0;
